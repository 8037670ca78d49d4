package io.walcast.bench;

import io.walcast.app.LocalCheckpoints;
import io.walcast.app.WalcastJob;
import io.walcast.config.JobConfig;
import io.walcast.testing.CountingSink;
import io.walcast.testing.TestPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code bin/bench}: drains the same WAL backlog with {@code pg_recvlogical} (pgoutput to
 * /dev/null, the ceiling) and with walcast, in one run on one machine, and prints one table. The
 * backlog is built while every consumer is stopped, each consumer on its own slot: walcast is
 * primed (snapshot of the empty table, a checkpoint), stopped, and resumed from that checkpoint
 * once the backlog is committed, as after an outage.
 */
public final class Bench {

    record Result(
            String shape,
            String consumer,
            long events,
            double seconds,
            double firstToLast,
            double cpuSeconds) {
        double rate() {
            return events / seconds;
        }
    }

    public static void main(String[] args) {
        try {
            run(args);
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1); // the MiniCluster's threads would keep the JVM alive
        }
    }

    static void run(String[] args) throws Exception {
        int rows = 200_000;
        for (String a : args) {
            if (a.equals("--large")) {
                rows = 1_000_000;
            } else if (a.startsWith("--rows=")) {
                rows = Integer.parseInt(a.substring(7));
            }
        }
        List<Result> results = new ArrayList<>();
        try (TestPostgres pg = TestPostgres.start()) {
            for (String shape : List.of("one-transaction", "one-row-transactions")) {
                results.addAll(runShape(pg, shape, rows));
            }
        }
        report(results, rows);
    }

    static List<Result> runShape(TestPostgres pg, String shape, int rows) throws Exception {
        String table = shape.equals("one-transaction") ? "bench_big" : "bench_small";
        pg.execute(
                "create table "
                        + table
                        + " (id bigint primary key, payload text, n numeric(12,2), at timestamptz)",
                "create publication " + table + "_recv for table " + table,
                "select pg_create_logical_replication_slot('" + table + "_recv', 'pgoutput')");
        JobConfig job =
                pg.job(table.replace('_', '-'), "public\\." + table, "sinks:\n  stdout: {}");
        Path state = Files.createTempDirectory("walcast-bench");
        JobClient primed = start(job, state, null);
        awaitSlotActive(pg, job.source().slot());
        awaitCheckpoints(state, 2);
        primed.cancel().get();
        Thread.sleep(1000);

        System.err.printf("bench: building %s backlog of %d rows%n", shape, rows);
        if (shape.equals("one-transaction")) {
            pg.execute(
                    "insert into "
                            + table
                            + " select g, md5(g::text), g * 1.5, now() from generate_series(1, "
                            + rows
                            + ") g");
        } else {
            // One row per transaction, committed by a server-side loop (fast, and still one commit
            // each).
            pg.execute(
                    "create procedure "
                            + table
                            + "_fill(n int) language plpgsql as $$ begin for i in 1..n loop"
                            + " insert into "
                            + table
                            + " values (i, md5(i::text), i * 1.5, now()); commit; end loop; end $$",
                    "call " + table + "_fill(" + rows + ")");
        }
        pg.queryOne("select pg_logical_emit_message(true, '" + END_MARKER + "', 'end')");

        List<Result> out = new ArrayList<>();
        out.add(pgRecvLogical(pg, shape, table, rows));

        CountingSink.reset();
        long cpuBefore = processCpuNanos();
        long t0 = System.nanoTime();
        JobClient resumed = start(job, state, LocalCheckpoints.latest(state).orElseThrow());
        long deadline = t0 + TimeUnit.MINUTES.toNanos(20);
        while (CountingSink.COUNT.get() < rows) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "walcast drained " + CountingSink.COUNT.get() + " of " + rows);
            }
            Thread.sleep(5);
        }
        double seconds = (CountingSink.LAST_NANOS.get() - t0) / 1e9;
        double firstToLast = (CountingSink.LAST_NANOS.get() - CountingSink.FIRST_NANOS.get()) / 1e9;
        double cpu = (processCpuNanos() - cpuBefore) / 1e9;
        resumed.cancel().get();
        out.add(
                new Result(
                        shape,
                        "walcast, discarding sink",
                        CountingSink.COUNT.get(),
                        seconds,
                        firstToLast,
                        cpu));
        return out;
    }

    static final String END_MARKER = "walcast-bench-end";

    /**
     * {@code pg_recvlogical} with pgoutput, its output scanned for the logical message that follows
     * the backlog ({@code --endpos} can stop it early: a keepalive past the position ends it before
     * a large transaction is decoded).
     */
    static Result pgRecvLogical(TestPostgres pg, String shape, String table, int rows)
            throws Exception {
        List<String> command =
                List.of(
                        "pg_recvlogical",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(pg.port()),
                        "-U",
                        "postgres",
                        "-d",
                        "postgres",
                        "--slot",
                        table + "_recv",
                        "--start",
                        "--no-loop",
                        "-o",
                        "proto_version=1",
                        "-o",
                        "messages=true",
                        "-o",
                        "publication_names=" + table + "_recv",
                        "-f",
                        "-");
        long t0 = System.nanoTime();
        Process p =
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] marker = END_MARKER.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        long bytes = 0;
        try (var in = p.getInputStream()) {
            byte[] buffer = new byte[1 << 16];
            byte[] window = new byte[0];
            int n;
            while ((n = in.read(buffer)) > 0) {
                bytes += n;
                byte[] joined = new byte[window.length + n];
                System.arraycopy(window, 0, joined, 0, window.length);
                System.arraycopy(buffer, 0, joined, window.length, n);
                if (indexOf(joined, marker) >= 0) {
                    break;
                }
                window =
                        java.util.Arrays.copyOfRange(
                                joined, Math.max(0, joined.length - marker.length), joined.length);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        p.destroy();
        p.waitFor(1, TimeUnit.MINUTES);
        // The pgoutput messages of the backlog are megabytes: a short output means it stopped
        // early.
        if (bytes < rows * 40L) {
            throw new IllegalStateException(
                    "pg_recvlogical received only " + bytes + " bytes for " + rows + " rows");
        }
        return new Result(shape, "pg_recvlogical (ceiling)", rows, seconds, seconds, Double.NaN);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static JobClient start(JobConfig job, Path state, Path restoreFrom) throws Exception {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, state.toUri().toString());
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (restoreFrom != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        env.enableCheckpointing(
                job.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.getConfig().disableGenericTypes();
        WalcastJob.build(env, job, WalcastJob.prepare(job), List.of(new CountingSink()));
        return env.executeAsync(job.name());
    }

    static void awaitSlotActive(TestPostgres pg, String slot) throws InterruptedException {
        for (int i = 0; i < 1200; i++) {
            if ("t"
                    .equals(
                            pg.queryOne(
                                    "select active from pg_replication_slots where slot_name = '"
                                            + slot
                                            + "'"))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("walcast never started streaming");
    }

    /**
     * Waits until {@code count} checkpoints completed from now on (only the latest is retained).
     */
    static void awaitCheckpoints(Path state, int count) throws Exception {
        long since = System.currentTimeMillis();
        java.util.Set<String> completed = new java.util.HashSet<>();
        for (int i = 0; i < 1200 && completed.size() < count; i++) {
            try (Stream<Path> files =
                    Files.find(
                            state, 4, (p, a) -> p.getFileName().toString().equals("_metadata"))) {
                files.filter(p -> p.toFile().lastModified() >= since)
                        .forEach(p -> completed.add(p.getParent().toString()));
            } catch (java.io.UncheckedIOException e) {
                // a subsumed checkpoint was deleted while listing
            }
            Thread.sleep(100);
        }
        if (completed.size() < count) {
            throw new IllegalStateException("no checkpoint completed");
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static void report(List<Result> results, int rows) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        Locale.ROOT,
                        "walcast benchmark, %d rows per backlog, %s, %d cores%n%n",
                        rows,
                        Instant.now(),
                        Runtime.getRuntime().availableProcessors()));
        md.append(
                "| backlog | consumer | events | seconds | events/s | first→last events/s | ratio to ceiling | CPU s per 100k |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        StringBuilder json = new StringBuilder("[");
        for (Result r : results) {
            Result ceiling =
                    results.stream()
                            .filter(
                                    c ->
                                            c.shape().equals(r.shape())
                                                    && c.consumer().startsWith("pg_recvlogical"))
                            .findFirst()
                            .orElseThrow();
            double ratio = r.rate() / ceiling.rate();
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %d | %.2f | %.0f | %.0f | %.2f | %.2f |%n",
                            r.shape(),
                            r.consumer(),
                            r.events(),
                            r.seconds(),
                            r.rate(),
                            r.events() / r.firstToLast(),
                            ratio,
                            r.cpuSeconds() * 100_000 / r.events()));
            json.append(json.length() > 1 ? "," : "")
                    .append(
                            String.format(
                                    Locale.ROOT,
                                    "{\"backlog\":\"%s\",\"consumer\":\"%s\",\"events\":%d,\"seconds\":%.3f,\"events_per_second\":%.1f,\"ratio_to_ceiling\":%.3f,\"cpu_seconds_per_100k\":%.3f}",
                                    r.shape(),
                                    r.consumer(),
                                    r.events(),
                                    r.seconds(),
                                    r.rate(),
                                    ratio,
                                    r.cpuSeconds() * 100_000 / r.events()));
        }
        json.append("]\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nwalcast JVM peak heap used: %d MiB%n",
                        ManagementFactory.getMemoryPoolMXBeans().stream()
                                        .mapToLong(
                                                p ->
                                                        p.getPeakUsage() == null
                                                                ? 0
                                                                : p.getPeakUsage().getUsed())
                                        .sum()
                                / (1024 * 1024)));
        System.out.println(md);
        Path dir = Path.of("bench", "results");
        Files.createDirectories(dir);
        String stamp = Instant.now().toString().replace(':', '-');
        Files.writeString(dir.resolve("bench-" + stamp + ".md"), md);
        Files.writeString(dir.resolve("bench-" + stamp + ".json"), json);
        System.err.println("bench: results written to " + dir.toAbsolutePath());
    }
}
