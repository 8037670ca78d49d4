package io.walcast.sink.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.config.JobConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.EnvelopeJson;
import io.walcast.envelope.Operation;
import io.walcast.testing.FaultInjectingKinesisProxy;
import io.walcast.testing.KinesisEmulator;
import io.walcast.testing.TestJobs;
import io.walcast.testing.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Record;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real graph (MiniCluster, parallelism 2, checkpoints every second) from an embedded Postgres
 * into the Kinesis emulator, read back shard by shard: every record is the envelope, a row's
 * records share one shard in commit order, also through injected per-record throttling and an
 * outage of the endpoint.
 */
class KinesisSinkITCase {
    static {
        // The fault-injecting proxy rewrites PutRecords, so the SDK must speak JSON, not CBOR.
        System.setProperty("aws.cborEnabled", "false");
    }

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static final Duration CATCH_UP = Duration.ofMinutes(4);

    static TestPostgres pg;
    static KinesisEmulator kinesis;

    @BeforeAll
    static void start() throws Exception {
        pg = TestPostgres.start();
        kinesis =
                KinesisEmulator.start(
                        Map.of(
                                "changes",
                                2,
                                "throttled",
                                2,
                                "outage",
                                2,
                                "large",
                                1,
                                "per-shard",
                                2));
    }

    @AfterAll
    static void stop() throws Exception {
        if (kinesis != null) {
            kinesis.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    static String sink(String stream, String endpoint) {
        return String.join(
                "\n",
                "sinks:",
                "  kinesis:",
                "    stream: " + stream,
                "    endpoint: '" + endpoint + "'",
                "    access-key-id: test",
                "    secret-access-key: test",
                "    buffer-time: 100ms");
    }

    @Test
    void snapshotAndStreamedChangesOfTwoTablesArriveOnOneShardPerRowInCommitOrder()
            throws Exception {
        pg.execute(
                "create table t1_orders (id int primary key, n int)",
                "create table t1_items (a int, b text, n int, primary key (a, b))",
                "insert into t1_orders select g, 0 from generate_series(1, 30) g",
                "insert into t1_items select g, 'item ' || g, 0 from generate_series(1, 30) g");
        JobConfig job =
                pg.job("kinesis_order", "public\\.t1_.*", sink("changes", kinesis.endpoint()));
        JobClient client = TestJobs.start(job, List.of(new KinesisSink(job.sinks().kinesis())));
        try {
            awaitDistinct("changes", 60);
            for (int v = 1; v <= 3; v++) {
                pg.execute("update t1_orders set n = " + v, "update t1_items set n = " + v);
            }
            pg.execute(
                    "delete from t1_orders where id % 10 = 0",
                    "insert into t1_items select g, 'item ' || g, 9 from generate_series(31, 35) g");
            Map<String, List<ChangeEnvelope>> byKey = awaitDistinct("changes", 60 + 180 + 3 + 5);

            assertThat(byKey).hasSize(65);
            for (var e : byKey.entrySet()) {
                List<String> ns = versions(e.getValue());
                if (e.getKey().startsWith("t1_orders|") && e.getKey().endsWith("0}")) {
                    assertThat(ns).as(e.getKey()).containsExactly("0", "1", "2", "3", "deleted");
                } else if (e.getValue().get(0).operation() == Operation.INSERT) {
                    assertThat(ns).as(e.getKey()).containsExactly("9");
                } else {
                    assertThat(ns).as(e.getKey()).containsExactly("0", "1", "2", "3");
                }
            }
            ChangeEnvelope item = byKey.get("t1_items|{\"a\":7,\"b\":\"item 7\"}").get(0);
            assertThat(item.snapshot()).isTrue();
            assertThat(item.current().asMap()).containsEntry("n", "0");
        } finally {
            client.cancel().get();
        }
    }

    @Test
    void throttledRecordsAreRetriedWithoutLossAndWithoutReorderingARow() throws Exception {
        pg.execute(
                "create table t2_rows (id int primary key, n int)",
                "insert into t2_rows select g, 0 from generate_series(1, 200) g");
        try (FaultInjectingKinesisProxy proxy =
                new FaultInjectingKinesisProxy(kinesis.endpoint())) {
            proxy.rejectShare(0.3);
            JobConfig job =
                    pg.job(
                            "kinesis_throttled",
                            "public\\.t2_.*",
                            sink("throttled", proxy.endpoint()));
            JobClient client = TestJobs.start(job, List.of(new KinesisSink(job.sinks().kinesis())));
            try {
                awaitDistinct("throttled", 200);
                for (int v = 1; v <= 5; v++) {
                    pg.execute("update t2_rows set n = " + v);
                }
                Map<String, List<ChangeEnvelope>> byKey = awaitDistinct("throttled", 200 * 6);
                assertThat(byKey).hasSize(200);
                for (var e : byKey.entrySet()) {
                    assertThat(versions(e.getValue()))
                            .as(e.getKey())
                            .containsExactly("0", "1", "2", "3", "4", "5");
                }
                assertThat(proxy.rejected())
                        .as("records rejected with ProvisionedThroughputExceededException")
                        .isGreaterThan(200);
                System.out.printf(
                        "KINESIS ITCASE throttled: %d records rejected, %d forwarded%n",
                        proxy.rejected(), proxy.forwarded());
            } finally {
                client.cancel().get();
            }
        }
    }

    /**
     * Kinesis throttles per shard: each shard here takes 40 records/s, far below what the sink
     * offers, so most requests come back partly rejected for the whole run. Every change still
     * arrives once per id, each row's changes in commit order on one shard.
     */
    @Test
    void aStreamThrottledPerShardGetsEveryChangeInRowOrder() throws Exception {
        pg.execute(
                "create table t5_rows (id int primary key, n int)",
                "insert into t5_rows select g, 0 from generate_series(1, 150) g");
        try (ShardThrottlingProxy proxy =
                new ShardThrottlingProxy(kinesis.endpoint(), 2, 40, 1 << 20)) {
            JobConfig job =
                    pg.job(
                            "kinesis_per_shard",
                            "public\\.t5_.*",
                            sink("per-shard", proxy.endpoint()));
            JobClient client = TestJobs.start(job, List.of(new KinesisSink(job.sinks().kinesis())));
            try {
                awaitDistinct("per-shard", 150);
                for (int v = 1; v <= 4; v++) {
                    pg.execute("update t5_rows set n = " + v);
                }
                Map<String, List<ChangeEnvelope>> byKey = awaitDistinct("per-shard", 150 * 5);
                assertThat(byKey).hasSize(150);
                for (var e : byKey.entrySet()) {
                    assertThat(versions(e.getValue()))
                            .as(e.getKey())
                            .containsExactly("0", "1", "2", "3", "4");
                }
                assertThat(proxy.rejected())
                        .as("records rejected with ProvisionedThroughputExceededException")
                        .isGreaterThan(0);
                System.out.printf(
                        "KINESIS ITCASE per-shard throttle: %d records throttled, %d forwarded%n",
                        proxy.rejected(), proxy.forwarded());
            } finally {
                client.cancel().get();
            }
        }
    }

    @Test
    void anOutageOfTheEndpointLosesNothingAndKeepsRowOrder() throws Exception {
        pg.execute(
                "create table t3_rows (id int primary key, n int)",
                "insert into t3_rows select g, 0 from generate_series(1, 100) g");
        try (FaultInjectingKinesisProxy proxy =
                new FaultInjectingKinesisProxy(kinesis.endpoint())) {
            JobConfig job =
                    pg.job("kinesis_outage", "public\\.t3_.*", sink("outage", proxy.endpoint()));
            JobClient client = TestJobs.start(job, List.of(new KinesisSink(job.sinks().kinesis())));
            try {
                awaitDistinct("outage", 100);
                int rounds = 30;
                long forwardedAtOutage = 0;
                long outageStart = 0;
                for (int v = 1; v <= rounds; v++) {
                    pg.execute("update t3_rows set n = " + v);
                    if (v == 5) {
                        Thread.sleep(1000);
                        proxy.refuseConnections();
                        outageStart = System.nanoTime();
                        forwardedAtOutage = proxy.forwarded();
                    }
                    if (v == 20) {
                        long left =
                                Duration.ofSeconds(10).toNanos()
                                        - (System.nanoTime() - outageStart);
                        Thread.sleep(Math.max(0, left / 1_000_000));
                        assertThat(proxy.forwarded())
                                .as("nothing reaches Kinesis during the outage")
                                .isEqualTo(forwardedAtOutage);
                        proxy.accept();
                    }
                    Thread.sleep(300);
                }
                Map<String, List<ChangeEnvelope>> byKey =
                        awaitDistinct("outage", 100 * (rounds + 1));
                assertThat(byKey).hasSize(100);
                List<String> expected = new ArrayList<>();
                for (int v = 0; v <= rounds; v++) {
                    expected.add(String.valueOf(v));
                }
                for (var e : byKey.entrySet()) {
                    assertThat(versions(e.getValue())).as(e.getKey()).isEqualTo(expected);
                }
                System.out.printf(
                        "KINESIS ITCASE outage: %d records on the stream for %d distinct envelopes%n",
                        kinesis.count("outage"), 100 * (rounds + 1));
            } finally {
                client.cancel().get();
            }
        }
    }

    @Test
    void aRecordOverTheKinesisLimitGoesToTheDeadLetterDirectoryAndTheRestFlows(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path deadLetters) throws Exception {
        pg.execute(
                "create table t4_docs (id int primary key, body text)",
                "insert into t4_docs values (1, 'small')");
        JobConfig job =
                pg.job(
                        "kinesis_large",
                        "public\\.t4_.*",
                        sink("large", kinesis.endpoint())
                                + "\n    dead-letter-dir: '"
                                + deadLetters
                                + "'");
        JobClient client = TestJobs.start(job, List.of(new KinesisSink(job.sinks().kinesis())));
        try {
            awaitDistinct("large", 1);
            pg.execute(
                    "insert into t4_docs values (2, repeat('x', 1100000))",
                    "update t4_docs set body = 'after' where id = 1");
            Map<String, List<ChangeEnvelope>> byKey = awaitDistinct("large", 2);
            assertThat(versionsOf(byKey.get("t4_docs|{\"id\":1}")))
                    .containsExactly("small", "after");
            assertThat(byKey).doesNotContainKey("t4_docs|{\"id\":2}");
            java.nio.file.Path dir = deadLetters.resolve("t4_docs");
            List<java.nio.file.Path> files;
            try (var list = java.nio.file.Files.list(dir)) {
                files = list.toList();
            }
            assertThat(files).hasSize(1);
            ChangeEnvelope big = EnvelopeJson.read(java.nio.file.Files.readAllBytes(files.get(0)));
            assertThat(big.key().asMap()).containsEntry("id", "2");
            assertThat(big.current().json("body")).hasSize(1100000 + 2);
        } finally {
            client.cancel().get();
        }
    }

    static List<String> versionsOf(List<ChangeEnvelope> envelopes) {
        return envelopes.stream().map(e -> e.current().json("body").replace("\"", "")).toList();
    }

    /** Each envelope's {@code n}, or "deleted". */
    static List<String> versions(List<ChangeEnvelope> envelopes) {
        return envelopes.stream()
                .map(e -> e.operation() == Operation.DELETE ? "deleted" : e.current().json("n"))
                .toList();
    }

    /**
     * Reads the stream until it holds {@code expected} distinct envelope ids, checking on every
     * record what must always hold, and returns each partition key's envelopes in shard order with
     * repeats of an already-delivered id left out.
     */
    Map<String, List<ChangeEnvelope>> awaitDistinct(String stream, int expected) throws Exception {
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        while (true) {
            Map<String, List<ChangeEnvelope>> byKey = readChecked(stream);
            int distinct = byKey.values().stream().mapToInt(List::size).sum();
            assertThat(distinct)
                    .as("distinct envelopes on " + stream)
                    .isLessThanOrEqualTo(expected);
            if (distinct == expected) {
                return byKey;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        stream
                                + ": "
                                + distinct
                                + " of "
                                + expected
                                + " envelopes after "
                                + CATCH_UP);
            }
            Thread.sleep(1000);
        }
    }

    Map<String, List<ChangeEnvelope>> readChecked(String stream) throws Exception {
        Map<String, String> shardOfKey = new HashMap<>();
        Map<String, byte[]> bytesOfId = new HashMap<>();
        Map<String, List<ChangeEnvelope>> byKey = new LinkedHashMap<>();
        for (var shard : kinesis.readAll(stream).entrySet()) {
            for (Record r : shard.getValue()) {
                byte[] data = r.data().asByteArray();
                ChangeEnvelope e = EnvelopeJson.read(data);
                assertThat(e.json()).as("the record is the envelope JSON").isEqualTo(data);
                assertThat(r.partitionKey()).isEqualTo(PartitionKeys.of(e));
                String previousShard = shardOfKey.putIfAbsent(r.partitionKey(), shard.getKey());
                assertThat(shard.getKey())
                        .as("all records of " + r.partitionKey() + " on one shard")
                        .isEqualTo(previousShard == null ? shard.getKey() : previousShard);
                byte[] earlier = bytesOfId.putIfAbsent(e.id(), data);
                if (earlier != null) {
                    // At-least-once: a repeat carries an already-delivered id and the same bytes.
                    assertThat(Arrays.equals(earlier, data)).as("repeat of " + e.id()).isTrue();
                    continue;
                }
                List<ChangeEnvelope> row =
                        byKey.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>());
                if (!row.isEmpty()) {
                    ChangeEnvelope last = row.get(row.size() - 1);
                    assertThat(e.snapshot()).as("snapshot before streamed changes").isFalse();
                    if (!last.snapshot()) {
                        assertThat(e.lsn())
                                .as(r.partitionKey() + " in commit order")
                                .isGreaterThan(last.lsn());
                    }
                }
                row.add(e);
            }
        }
        return byKey;
    }
}
