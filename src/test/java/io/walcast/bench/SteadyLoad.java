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
 * clock, and the slot lag is sampled every second.
 */
final class SteadyLoad {
    static final String RABBITMQ = "RabbitMQ";
    static final String KINESIS = "Kinesis (emulator)";

    /** Latency percentiles of one sink, in ms, and how many changes its consumer received. */
    record Latency(String sink, long received, long p50, long p99, long max) {}

    /** What one steady-load run measured. */
    record Result(
            String sink,
            double targetRate,
            int seconds,
            long transactions,
            double pgbenchTps,
            List<Latency> latencies,
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
            String checkpointInterval)
            throws Exception {
        System.err.printf(
                "bench: steady load into %s, %.0f transactions/s for %d s, checkpoints every %s%n",
                sink, rate, seconds, checkpointInterval);
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
        List<Long> received = Collections.synchronizedList(new ArrayList<>());
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

            String pgbench = pgbench(pg, work, table, rate, seconds);
            Matcher processed = Pattern.compile("actually processed: (\\d+)").matcher(pgbench);
            Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(pgbench);
            if (!processed.find() || !tps.find()) {
                throw new IllegalStateException("unexpected pgbench output:\n" + pgbench);
            }
            long transactions = Long.parseLong(processed.group(1));
            List<Long> duringLoad = List.copyOf(lag);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.size() < transactions && System.nanoTime() < deadline) {
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
            return new Result(
                    sink,
                    rate,
                    seconds,
                    transactions,
                    Double.parseDouble(tps.group(1)),
                    List.of(percentiles(sink, received)),
                    Math.max(firstHalf, secondHalf),
                    firstHalf,
                    secondHalf,
                    endLag,
                    // Bounded: the second half never needed much more room than the first (1 MiB
                    // of slack for one checkpoint interval's worth at a small rate).
                    secondHalf <= firstHalf * 3 / 2 + (1 << 20));
        }
    }

    /** Commit → now in ms, from the envelope's {@code "timestamp":"…"} (ISO-8601, ms). */
    static long latency(byte[] envelope, long receivedMillis) {
        String json = new String(envelope, StandardCharsets.UTF_8);
        int at = json.indexOf("\"timestamp\":\"") + 13;
        return receivedMillis
                - Instant.parse(json.substring(at, json.indexOf('"', at))).toEpochMilli();
    }

    private static String pgbench(
            TestPostgres pg, Path work, String table, double rate, int seconds) throws Exception {
        Path script = work.resolve(table + ".sql");
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
        Files.writeString(work.resolve(table + ".pgbench.out"), out);
        return out;
    }

    private static void readKinesis(
            KinesisEmulator.Tail tail, List<Long> received, AtomicBoolean running) {
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
        List<Long> sorted;
        synchronized (millis) {
            sorted = new ArrayList<>(millis);
        }
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
