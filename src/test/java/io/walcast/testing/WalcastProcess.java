package io.walcast.testing;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.EnvelopeJson;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code java -jar target/walcast.jar …} as a separate process, the way a user runs it: standard
 * output and standard error go to files the test reads back. Built by {@code mvn package} before
 * the ITCases run.
 */
public final class WalcastProcess implements AutoCloseable {
    public static final Path JAR = Path.of("target", "walcast.jar");

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private WalcastProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public static WalcastProcess start(
            Path workDir, String name, Map<String, String> env, String... args) {
        return start(workDir, name, env, List.of("-Xmx1g"), args);
    }

    /** Like {@link #start(Path, String, Map, String...)}, with these JVM options. */
    public static WalcastProcess start(
            Path workDir,
            String name,
            Map<String, String> env,
            List<String> jvmOptions,
            String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.addAll(List.of(args));
        Path out = workDir.resolve(name + ".out");
        Path err = workDir.resolve(name + ".err");
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .directory(workDir.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        try {
            return new WalcastProcess(pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /**
     * {@code run <job> --local} with checkpoints under {@code stateDir}, a free Web UI port and
     * parallelism 2: the same arguments resume the job from its latest checkpoint.
     */
    public static String[] runLocal(Path job, Path stateDir) {
        return new String[] {
            "run",
            job.toString(),
            "--local",
            "--web-port",
            Integer.toString(freePort()),
            "--state-dir",
            stateDir.toString(),
            "--parallelism",
            "2"
        };
    }

    public List<String> stdoutLines() {
        return lines(stdout);
    }

    /** Complete lines on standard output so far, counted without holding them. */
    public long stdoutLineCount() throws IOException {
        long lines = 0;
        try (var in = new java.io.BufferedInputStream(Files.newInputStream(stdout), 1 << 16)) {
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (b == '\n') {
                    lines++;
                }
            }
        }
        return lines;
    }

    /**
     * Standard output read back as envelopes: a line that is not one (a log line) fails the test.
     */
    public List<ChangeEnvelope> envelopes() {
        return stdoutLines().stream()
                .map(line -> EnvelopeJson.read(line.getBytes(StandardCharsets.UTF_8)))
                .toList();
    }

    /** What earlier runs of the job wrote ({@code earlier}), then what this one has so far. */
    public List<ChangeEnvelope> envelopesAfter(List<ChangeEnvelope> earlier) {
        List<ChangeEnvelope> all = new ArrayList<>(earlier);
        all.addAll(envelopes());
        return all;
    }

    /** Waits until {@code count} envelopes on standard output match; fails if the process dies. */
    public void await(Predicate<ChangeEnvelope> filter, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long n = envelopes().stream().filter(filter).count();
            if (n >= count) {
                return;
            }
            if (!isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(
                        "expected " + count + " envelopes, got " + n + "; stderr:\n" + stderr());
            }
            Thread.sleep(100);
        }
    }

    public String stderr() {
        return String.join("\n", lines(stderr));
    }

    private static List<String> lines(Path p) {
        try {
            String text = Files.readString(p, StandardCharsets.UTF_8);
            List<String> complete = new ArrayList<>(List.of(text.split("\n", -1)));
            complete.remove(complete.size() - 1); // a line is complete once its newline is written
            return complete;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The process's peak resident set size so far ({@code VmHWM}), in MiB. */
    public long peakRssMib() throws IOException {
        for (String line :
                Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IllegalStateException("no VmHWM for process " + process.pid());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(
                    "walcast did not exit within " + timeout + "; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    /** {@code kill -9}: no shutdown hook, no final checkpoint. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
