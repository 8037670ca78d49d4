package io.walcast.sink.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.config.JobConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.sink.EnvelopeSink;
import io.walcast.testing.KinesisEmulator;
import io.walcast.testing.TestJobs;
import io.walcast.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Shard;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Not part of the suite (no ITCase suffix); run by name: {@code mvn verify
 * -Dit.test=KinesisThroughputBenchmark}. A 200k-row backlog (one transaction, streamed from the
 * WAL) through the real graph, once into the Kinesis emulator (records/s seen arriving on the
 * stream, first → last) and once into a discarding sink (first → last envelope), and the ratio.
 * Appends the figures to {@code target/kinesis-benchmark.txt}.
 */
class KinesisThroughputBenchmark {
    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static final int ROWS = Integer.getInteger("bench.rows", 200_000);

    @Test
    void backlogIntoKinesisAgainstTheSameRunWithoutIt() throws Exception {
        try (TestPostgres pg = TestPostgres.start();
                KinesisEmulator kinesis = KinesisEmulator.start(Map.of("bench", 2))) {
            double without = withoutKinesis(pg);
            System.out.printf("KINESIS BENCHMARK discarding sink: %.0f rec/s%n", without);
            double with = intoKinesis(pg, kinesis);
            System.out.printf("KINESIS BENCHMARK kinesis sink: %.0f rec/s%n", with);
            double ceiling = emulatorCeiling(kinesis);
            String line =
                    String.format(
                            "%s rows=%d kinesis=%.0f rec/s discarding=%.0f rec/s ratio=%.3f"
                                    + " emulator-bare-client=%.0f rec/s sink/bare=%.2f%n",
                            java.time.Instant.now(),
                            ROWS,
                            with,
                            without,
                            with / without,
                            ceiling,
                            with / ceiling);
            System.out.print("KINESIS BENCHMARK " + line);
            Files.writeString(
                    Path.of("target/kinesis-benchmark.txt"),
                    line,
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            assertThat(with).isPositive();
        }
    }

    static double withoutKinesis(TestPostgres pg) throws Exception {
        pg.execute("create table b1 (id int primary key, payload text)");
        JobConfig job = pg.job("bench_discard", "public\\.b1", "sinks:\n  stdout: {}");
        JobClient client = TestJobs.start(job, List.of(new Timed()));
        try {
            awaitCount(Timed.COUNT, 0, Duration.ofMinutes(2)); // source up: snapshot of nothing
            Thread.sleep(5000);
            pg.execute(
                    "insert into b1 select g, md5(g::text) from generate_series(1, "
                            + ROWS
                            + ") g");
            awaitCount(Timed.COUNT, ROWS, Duration.ofMinutes(10));
            return ROWS * 1000.0 / Math.max(1, Timed.LAST.get() - Timed.FIRST.get());
        } finally {
            client.cancel().get();
        }
    }

    static double intoKinesis(TestPostgres pg, KinesisEmulator kinesis) throws Exception {
        pg.execute("create table b2 (id int primary key, payload text)");
        JobConfig job =
                pg.job(
                        "bench_kinesis",
                        "public\\.b2",
                        String.join(
                                "\n",
                                "sinks:",
                                "  kinesis:",
                                "    stream: bench",
                                "    endpoint: '" + kinesis.endpoint() + "'",
                                "    access-key-id: test",
                                "    secret-access-key: test"));
        JobClient client = TestJobs.start(job, List.of(new KinesisSink(job.sinks().kinesis())));
        try {
            Thread.sleep(10_000);
            pg.execute(
                    "insert into b2 select g, md5(g::text) from generate_series(1, "
                            + ROWS
                            + ") g");
            Tail tail = new Tail(kinesis, "bench");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            long report = 0;
            while (tail.count < ROWS && System.nanoTime() < deadline) {
                tail.poll();
                if (System.nanoTime() > report) {
                    System.out.printf("KINESIS BENCHMARK %d records on the stream%n", tail.count);
                    report = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                }
                Thread.sleep(1000);
            }
            assertThat(tail.count).isEqualTo(ROWS);
            return ROWS * 1000.0 / Math.max(1, tail.last - tail.first);
        } finally {
            client.cancel().get();
        }
    }

    /**
     * What the emulator accepts from a bare client on this machine: ROWS records of envelope size,
     * 500 per PutRecords, 2 requests at a time, failed records (and timed-out requests) resent.
     */
    static double emulatorCeiling(KinesisEmulator kinesis) throws Exception {
        byte[] data = new byte[400];
        java.util.Arrays.fill(data, (byte) 'x');
        var sdkBytes =
                org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes.fromByteArray(
                        data);
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>();
        for (int i = 0; i < ROWS; i++) {
            todo.add("bare|{\"id\":" + i + "}");
        }
        long start = System.currentTimeMillis();
        while (!todo.isEmpty()) {
            List<java.util.concurrent.CompletableFuture<List<String>>> requests =
                    new java.util.ArrayList<>();
            for (int r = 0; r < 2 && !todo.isEmpty(); r++) {
                List<String> keys = new java.util.ArrayList<>();
                while (keys.size() < 500 && !todo.isEmpty()) {
                    keys.add(todo.poll());
                }
                var entries =
                        keys.stream()
                                .map(
                                        k ->
                                                org.apache.flink.kinesis.shaded.software.amazon
                                                        .awssdk.services.kinesis.model
                                                        .PutRecordsRequestEntry.builder()
                                                        .partitionKey(k)
                                                        .data(sdkBytes)
                                                        .build())
                                .toList();
                requests.add(
                        kinesis.client()
                                .putRecords(b -> b.streamName("bench").records(entries))
                                .thenApply(
                                        resp -> {
                                            List<String> failed = new java.util.ArrayList<>();
                                            for (int i = 0; i < keys.size(); i++) {
                                                if (resp.records().get(i).errorCode() != null) {
                                                    failed.add(keys.get(i));
                                                }
                                            }
                                            return failed;
                                        })
                                .exceptionally(timedOut -> keys));
            }
            for (var f : requests) {
                todo.addAll(f.get(5, TimeUnit.MINUTES));
            }
        }
        return ROWS * 1000.0 / Math.max(1, System.currentTimeMillis() - start);
    }

    static void awaitCount(AtomicLong count, long n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(count.get() + " of " + n + " after " + timeout);
            }
            Thread.sleep(50);
        }
    }

    /** Follows every shard of a stream and notes when records first and last arrived. */
    static final class Tail {
        final KinesisEmulator kinesis;
        final Map<String, String> iterators = new HashMap<>();
        long count;
        long first;
        long last;

        Tail(KinesisEmulator kinesis, String stream) throws Exception {
            this.kinesis = kinesis;
            for (Shard s : kinesis.client().listShards(b -> b.streamName(stream)).get().shards()) {
                iterators.put(
                        s.shardId(),
                        kinesis.client()
                                .getShardIterator(
                                        b ->
                                                b.streamName(stream)
                                                        .shardId(s.shardId())
                                                        .shardIteratorType(
                                                                ShardIteratorType.TRIM_HORIZON))
                                .get()
                                .shardIterator());
            }
        }

        void poll() throws Exception {
            for (var e : iterators.entrySet()) {
                while (true) {
                    String it = e.getValue();
                    GetRecordsResponse r =
                            kinesis.client()
                                    .getRecords(b -> b.shardIterator(it).limit(2_000))
                                    .get(2, TimeUnit.MINUTES);
                    e.setValue(r.nextShardIterator());
                    if (r.records().isEmpty()) {
                        break;
                    }
                    long now = System.currentTimeMillis();
                    if (count == 0) {
                        first = now;
                    }
                    count += r.records().size();
                    last = now;
                }
            }
        }
    }

    /** A discarding sink that notes when the first and the last envelope passed. */
    static final class Timed implements EnvelopeSink {
        static final AtomicLong COUNT = new AtomicLong();
        static final AtomicLong FIRST = new AtomicLong();
        static final AtomicLong LAST = new AtomicLong();

        @Override
        public String name() {
            return "timed";
        }

        @Override
        public void attach(DataStream<ChangeEnvelope> envelopes) {
            envelopes
                    .map(new Stamp())
                    .name("stamp")
                    .uid("stamp")
                    .sinkTo(new DiscardingSink<>())
                    .name("discard")
                    .uid("discard");
        }
    }

    static final class Stamp extends RichMapFunction<ChangeEnvelope, Integer> {
        @Override
        public Integer map(ChangeEnvelope e) {
            e.json(); // the work every real sink does
            long now = System.currentTimeMillis();
            if (Timed.COUNT.getAndIncrement() == 0) {
                Timed.FIRST.set(now);
            }
            Timed.LAST.set(now);
            return 0;
        }
    }
}
