package io.walcast.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link DrainJob} in its own JVM (the benchmark's classpath, {@code -Xmx2g}), its standard error
 * in a log file and its standard output parsed as it comes.
 */
final class ChildJvm implements AutoCloseable {
    static final String HEAP = "-Xmx2g";

    private final Process process;
    private final Path log;
    private volatile long startedMillis;
    private volatile double startedCpuSeconds;
    private volatile double startedJitSeconds;
    private volatile Receipt.Progress counted = new Receipt.Progress(0, 0, 0);

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
        Thread reader = new Thread(this::readOutput, "drain-job-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    static ChildJvm start(Path jobYaml, Path checkpoints, String kind, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add(HEAP);
        command.add(ProcStats.KEEP_COMPILER_THREADS);
        command.addAll(flinkJavaOptions());
        // e.g. BENCH_CHILD_JAVA_OPTS=-XX:StartFlightRecording=filename=/tmp/drain.jfr to profile
        String extra = System.getenv("BENCH_CHILD_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(
                List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        DrainJob.class.getName(),
                        jobYaml.toString(),
                        checkpoints.toString(),
                        kind));
        Process p =
                new ProcessBuilder(command)
                        .redirectError(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return new ChildJvm(p, log);
    }

    /**
     * The JVM options a Flink 1.20 TaskManager needs on Java 17 (Kryo reflects into {@code
     * java.util}), as {@code conf/config.yaml} gives them to the cluster.
     */
    static List<String> flinkJavaOptions() throws IOException {
        for (String line : Files.readAllLines(Path.of("conf", "config.yaml"))) {
            if (line.startsWith("env.java.opts.all:")) {
                return List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
            }
        }
        throw new IllegalStateException("conf/config.yaml has no env.java.opts.all");
    }

    private void readOutput() {
        try (BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split(" ");
                if (f[0].equals("started")) {
                    startedCpuSeconds = Double.parseDouble(f[2]);
                    startedJitSeconds = ProcStats.compilerCpuSeconds(process.pid());
                    startedMillis = Long.parseLong(f[1]);
                } else if (f[0].equals("count")) {
                    counted =
                            new Receipt.Progress(
                                    Long.parseLong(f[1]),
                                    Long.parseLong(f[2]),
                                    Long.parseLong(f[3]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process was killed
        }
    }

    long pid() {
        return process.pid();
    }

    /** Epoch ms at which the job was about to be built (JVM start-up excluded). */
    long awaitStarted() throws InterruptedException {
        for (int i = 0; i < 1200 && startedMillis == 0; i++) {
            ensureAlive();
            Thread.sleep(50);
        }
        if (startedMillis == 0) {
            throw new IllegalStateException("drain job never started; see " + log);
        }
        return startedMillis;
    }

    double startedCpuSeconds() {
        return startedCpuSeconds;
    }

    /** The JIT compiler threads' CPU seconds since the job was about to be built. */
    double jitSecondsSinceStarted() {
        return ProcStats.compilerCpuSeconds(process.pid()) - startedJitSeconds;
    }

    /** The counting sink's progress, for the {@code count} and {@code bare} kinds. */
    Receipt counted() {
        return () -> counted;
    }

    void ensureAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(
                    "drain job exited with " + process.exitValue() + "; see " + log);
        }
    }

    /** {@code kill -9}: no final checkpoint, so the next start resumes from the last completed. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(1, TimeUnit.MINUTES);
    }
}
