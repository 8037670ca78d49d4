package io.walcast.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.walcast.testing.KinesisEmulator;
import io.walcast.testing.RabbitMqBroker;
import io.walcast.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Steady load: {@code pgbench -R} upserts into a captured table at a fixed rate while walcast runs
 * with one real sink (RabbitMQ or Kinesis: each at a rate it can sustain, so one sink's limit does
 * not show up as the other's latency); a consumer of the sink computes commit → receipt latency
 * from the envelope's {@code timestamp} (the commit time, millisecond precision) and the local
 * clock, and the slot lag is sampled every second. The same load runs for a warm-up first, while
 * the fresh job JVM compiles its hot code: a long-running job has done that long before, so the
 * measured window starts after it, and the warm-up's own figures are reported beside it.
 */
final class SteadyLoad {
    static final String RABBITMQ = "RabbitMQ";
    static final String KINESIS = "Kinesis (emulator)";

    /** Latency percentiles of one sink, in ms, and how many changes its consumer received. */
    record Latency(String sink, long received, long p50, long p99, long max) {}

    /** Seconds of each window of the measured run whose p99 the report lists, to show its shape. */
    static final int WINDOW_SECONDS = 10;

    /** What one steady-load run measured. */
    record Result(
            String sink,
            double targetRate,
            int seconds,
            int warmupSeconds,
            long transactions,
            double pgbenchTps,
            List<Latency> latencies,
            Latency warmup,
            List<Long> windowP99,
            long maxLagBytes,
            long maxLagFirstHalf,
            long maxLagSecondHalf,
            long endLagBytes,
            boolean lagBounded) {}

    private SteadyLoad() {}

    /** The table, job, slot, exchange/queue or stream name of the run into {@code sink}. */
    static String name(String sink) {
        return sink.equals(RABBITMQ) ? "bench-steady-rabbitmq" : "bench-steady-kinesis";
    }

    static Result run(
            TestPostgres pg,
            RabbitMqBroker broker,
            KinesisEmulator kinesis,
            Path work,
            String sink,
            double rate,
            int seconds,
            int warmupSeconds,
            String checkpointInterval)
            throws Exception {
        System.err.printf(
                "bench: steady load into %s, %.0f transactions/s for %d s after %d s of warm-up,"
                        + " checkpoints every %s%n",
                sink, rate, seconds, warmupSeconds, checkpointInterval);
        String name = name(sink);
        String table = name.replace('-', '_');
        pg.execute(
                "create table "
                        + table
                        + " (id bigint primary key, payload text, n numeric(12,2), at"
                        + " timestamptz)");
        boolean rabbit = sink.equals(RABBITMQ);
        if (rabbit) {
            broker.freshExchange(name);
            broker.freshQueue(name, name, "#", null);
        }
        WalcastConsumer walcast =
                new WalcastConsumer(
                        pg,
                        work,
                        "walcast, " + sink,
                        name,
                        table,
                        "sinks",
                        // replaces the test job's 1 s (the last occurrence of a key wins)
                        "checkpoint-interval: "
                                + checkpointInterval
                                + "\nsinks:\n"
                                + (rabbit
                                        ? BacklogDrains.rabbitYaml(name)
                                        : "  kinesis: {stream: "
                                                + name
                                                + ", region: us-east-1, endpoint: '"
                                                + kinesis.endpoint()
                                                + "', access-key-id: test, secret-access-key:"
                                                + " test}\n"));
        // {commit epoch ms, commit → receipt ms} per change
        List<long[]> received = Collections.synchronizedList(new ArrayList<>());
        try (ChildJvm job = walcast.start();
                Connection amqp = RabbitMqBroker.factory().newConnection("bench-steady")) {
            Slots.awaitActive(pg, walcast.slot(), job::ensureAlive);
            walcast.awaitCheckpoints(job, 1);

            AtomicBoolean running = new AtomicBoolean(true);
            Thread kinesisReader = null;
            if (rabbit) {
                Channel ch = amqp.createChannel();
                ch.basicQos(1000);
                ch.basicConsume(
                        name,
                        true,
                        (tag, d) -> received.add(latency(d.getBody(), System.currentTimeMillis())),
                        tag -> {});
            } else {
                KinesisEmulator.Tail tail = kinesis.tail(name);
                kinesisReader =
                        daemon("kinesis-reader", () -> readKinesis(tail, received, running));
            }
            List<Long> lag = Collections.synchronizedList(new ArrayList<>());
            Thread lagSampler =
                    daemon("slot-lag", () -> sampleLag(pg, walcast.slot(), lag, running));

            long warmupTransactions =
                    warmupSeconds > 0
                            ? processed(
                                    pgbench(
                                            pg,
                                            work,
                                            table,
                                            table + "-warmup",
                                            rate,
                                            warmupSeconds))
                            : 0;
            long measuredFrom = System.currentTimeMillis();
            lag.clear();
            String pgbench = pgbench(pg, work, table, table, rate, seconds);
            long transactions = processed(pgbench);
            List<Long> duringLoad = List.copyOf(lag);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.size() < warmupTransactions + transactions
                    && System.nanoTime() < deadline) {
                job.ensureAlive();
                Thread.sleep(100);
            }
            running.set(false);
            if (kinesisReader != null) {
                kinesisReader.join();
            }
            lagSampler.join();
            long endLag = Slots.lagBytes(pg, walcast.slot());
            int half = duringLoad.size() / 2;
            long firstHalf = max(duringLoad.subList(0, half));
            long secondHalf = max(duringLoad.subList(half, duringLoad.size()));
            List<long[]> all;
            synchronized (received) {
                all = new ArrayList<>(received);
            }
            List<Long> measured = new ArrayList<>();
            List<Long> warm = new ArrayList<>();
            List<List<Long>> windows = new ArrayList<>();
            for (long[] r : all) {
                if (r[0] < measuredFrom) {
                    warm.add(r[1]);
                    continue;
                }
                measured.add(r[1]);
                int w = (int) ((r[0] - measuredFrom) / (WINDOW_SECONDS * 1000L));
                while (windows.size() <= w) {
                    windows.add(new ArrayList<>());
                }
                windows.get(w).add(r[1]);
            }
            return new Result(
                    sink,
                    rate,
                    seconds,
                    warmupSeconds,
                    transactions,
                    Double.parseDouble(figure(pgbench, "tps = ([0-9.]+)")),
                    List.of(percentiles(sink, measured)),
                    percentiles(sink, warm),
                    windows.stream().map(w -> percentiles(sink, w).p99()).toList(),
                    Math.max(firstHalf, secondHalf),
                    firstHalf,
                    secondHalf,
                    endLag,
                    // Bounded: the second half never needed much more room than the first (1 MiB
                    // of slack for one checkpoint interval's worth at a small rate).
                    secondHalf <= firstHalf * 3 / 2 + (1 << 20));
        }
    }

    /**
     * {commit epoch ms, commit → now in ms}, from the envelope's {@code "timestamp":"…"} (ISO-8601,
     * ms).
     */
    static long[] latency(byte[] envelope, long receivedMillis) {
        String json = new String(envelope, StandardCharsets.UTF_8);
        int at = json.indexOf("\"timestamp\":\"") + 13;
        long commit = Instant.parse(json.substring(at, json.indexOf('"', at))).toEpochMilli();
        return new long[] {commit, receivedMillis - commit};
    }

    /** The transactions pgbench reports it ran. */
    private static long processed(String pgbench) {
        return Long.parseLong(figure(pgbench, "actually processed: (\\d+)"));
    }

    /** The first group of {@code regex} in pgbench's output. */
    private static String figure(String pgbench, String regex) {
        Matcher m = Pattern.compile(regex).matcher(pgbench);
        if (!m.find()) {
            throw new IllegalStateException("unexpected pgbench output:\n" + pgbench);
        }
        return m.group(1);
    }

    /** Runs pgbench on {@code table}; {@code run} names its script and output files. */
    private static String pgbench(
            TestPostgres pg, Path work, String table, String run, double rate, int seconds)
            throws Exception {
        Path script = work.resolve(run + ".sql");
        Files.writeString(
                script,
                "\\set id random(1, 100000)\n"
                        + "insert into "
                        + table
                        + " values (:id, md5(:id::text), :id * 1.5, now()) on conflict (id) do"
                        + " update set n = "
                        + table
                        + ".n + 1, at = now();\n");
        Process p =
                new ProcessBuilder(
                                "pgbench",
                                "-h",
                                "127.0.0.1",
                                "-p",
                                Integer.toString(pg.port()),
                                "-U",
                                "postgres",
                                "-n",
                                "-c",
                                "4",
                                "-j",
                                "2",
                                "-R",
                                String.format(Locale.ROOT, "%.0f", rate),
                                "-T",
                                Integer.toString(seconds),
                                "-f",
                                script.toString(),
                                "postgres")
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("pgbench failed:\n" + out);
        }
        Files.writeString(work.resolve(run + ".pgbench.out"), out);
        return out;
    }

    private static void readKinesis(
            KinesisEmulator.Tail tail, List<long[]> received, AtomicBoolean running) {
        try {
            while (running.get()) {
                tail.poll(
                        (shard, r) ->
                                received.add(
                                        latency(
                                                r.data().asByteArray(),
                                                System.currentTimeMillis())));
                Thread.sleep(20);
            }
        } catch (Exception e) {
            throw new IllegalStateException("reading Kinesis", e);
        }
    }

    private static void sampleLag(
            TestPostgres pg, String slot, List<Long> lag, AtomicBoolean running) {
        try {
            while (running.get()) {
                lag.add(Slots.lagBytes(pg, slot));
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    static Latency percentiles(String sink, List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return new Latency(sink, 0, -1, -1, -1);
        }
        return new Latency(
                sink,
                sorted.size(),
                sorted.get((int) (sorted.size() * 0.50)),
                sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))),
                sorted.get(sorted.size() - 1));
    }
}
