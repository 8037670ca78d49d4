package io.walcast.bench;

import io.walcast.config.KinesisSinkConfig;
import io.walcast.config.Secret;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.ChangeEnvelopeTypeInfo;
import io.walcast.envelope.Operation;
import io.walcast.envelope.RowImage;
import io.walcast.sink.kinesis.KinesisSink;
import io.walcast.sink.kinesis.ShardThrottlingProxy;
import io.walcast.testing.KinesisEmulator;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Record;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Kinesis sink alone, in one JVM, against the bare client on the same emulator: {@code
 * KinesisSinkDrain [records] [records/s per shard|auto] [keys] [max-in-flight-requests]}. A bounded
 * job (parallelism 2, checkpoints every second) puts {@code records} synthetic envelopes of the
 * benchmark's row shape, all available at once like a one-transaction backlog, on a 2-shard stream
 * (a) straight into the emulator, read against the bare client's rate there, and (b) through {@link
 * ShardThrottlingProxy} limiting each shard to the given records/s, read against that capacity.
 * {@code keys} (default: one per record) spreads the records over fewer rows, several changes each.
 * Rates run from the first to the last record's arrival time on the stream (the emulator's clock),
 * so neither job start-up nor reading back counts.
 */
public final class KinesisSinkDrain {
    static final int SHARDS = 2;

    public static void main(String[] args) throws Exception {
        // The throttling proxy reads PutRecords as JSON.
        System.setProperty("aws.cborEnabled", "false");
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        String perShardArg = args.length > 1 ? args[1] : "auto";
        int keys = args.length > 2 ? Integer.parseInt(args[2]) : records;
        int inFlight = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        String load = Report.loadAverage();
        try (KinesisEmulator kinesis =
                KinesisEmulator.start(
                        Map.of("ceiling", SHARDS, "direct", SHARDS, "throttled", SHARDS))) {
            // As many records as the sink puts: the emulator slows down as a stream fills.
            double ceiling = KinesisCeiling.measure(kinesis, "ceiling", records);
            // The throttle must bind, not the emulator: by default a quarter of what it took.
            double perShard =
                    perShardArg.equals("auto")
                            ? Math.max(10, Math.round(ceiling / 4 / SHARDS))
                            : Double.parseDouble(perShardArg);
            int throttledRecords = (int) Math.min(records, perShard * SHARDS * 30);
            Drained direct = drain(kinesis, "direct", kinesis.endpoint(), records, keys, inFlight);
            Drained throttled;
            long rejected;
            try (ShardThrottlingProxy proxy =
                    new ShardThrottlingProxy(kinesis.endpoint(), SHARDS, perShard, 1 << 20)) {
                throttled =
                        drain(
                                kinesis,
                                "throttled",
                                proxy.endpoint(),
                                throttledRecords,
                                keys,
                                inFlight);
                rejected = proxy.rejected();
            }
            double capacity = perShard * SHARDS;
            System.out.printf(
                    "%nKinesis sink drain, %d shards, keys %d, %d requests in flight per subtask, load average %s → %s%n"
                            + "bare client into the emulator: %.0f records/s%n"
                            + "sink into the emulator: %d records (%d distinct) in %.1f s first →"
                            + " last = %.0f records/s, ratio to bare client %.2f (job %.1f s, %d bytes"
                            + " per record with its key)%n"
                            + "sink through the per-shard throttle (%.0f records/s/shard, capacity"
                            + " %.0f/s): %d records (%d distinct) in %.1f s = %.0f records/s, ratio"
                            + " to capacity %.2f, %d records throttled (job %.1f s)%n",
                    SHARDS,
                    keys,
                    inFlight,
                    load,
                    Report.loadAverage(),
                    ceiling,
                    direct.records,
                    direct.distinct,
                    direct.seconds(),
                    direct.rate(),
                    direct.rate() / ceiling,
                    direct.jobSeconds,
                    direct.bytesPerRecord,
                    perShard,
                    capacity,
                    throttled.records,
                    throttled.distinct,
                    throttled.seconds(),
                    throttled.rate(),
                    throttled.rate() / capacity,
                    rejected,
                    throttled.jobSeconds);
        }
        System.exit(0);
    }

    record Drained(
            long records,
            long distinct,
            long firstMillis,
            long lastMillis,
            double jobSeconds,
            long bytesPerRecord) {
        double seconds() {
            return Math.max(1, lastMillis - firstMillis) / 1000.0;
        }

        double rate() {
            return distinct / seconds();
        }
    }

    static Drained drain(
            KinesisEmulator kinesis,
            String stream,
            String endpoint,
            int records,
            int keys,
            int inFlight)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
        env.enableCheckpointing(1000, CheckpointingMode.EXACTLY_ONCE);
        KinesisSinkConfig config =
                new KinesisSinkConfig(
                        stream,
                        KinesisEmulator.REGION,
                        endpoint,
                        Duration.ofMillis(200),
                        500,
                        KinesisSinkConfig.PUT_RECORDS_MAX_BYTES,
                        10_000,
                        inFlight,
                        false,
                        null,
                        new Secret("test"),
                        new Secret("test"));
        new KinesisSink(config)
                .attach(
                        env.fromSequence(0, records - 1)
                                .map(new Synthetic(keys))
                                .returns(ChangeEnvelopeTypeInfo.INSTANCE)
                                .name("synthetic-envelopes"));
        long start = System.nanoTime();
        env.execute("kinesis-sink-drain-" + stream);
        double jobSeconds = (System.nanoTime() - start) / 1e9;
        long count = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        Set<String> distinct = new HashSet<>();
        long bytes = 0;
        for (Record r : kinesis.readAll(stream).values().stream().flatMap(List::stream).toList()) {
            count++;
            long at = r.approximateArrivalTimestamp().toEpochMilli();
            first = Math.min(first, at);
            last = Math.max(last, at);
            distinct.add(r.data().asUtf8String());
            bytes += r.data().asByteArrayUnsafe().length + r.partitionKey().length();
        }
        return new Drained(
                count, distinct.size(), first, last, jobSeconds, count == 0 ? 0 : bytes / count);
    }

    /** Envelope {@code i}: an insert of row {@code i % keys} shaped like the benchmark's rows. */
    static final class Synthetic implements MapFunction<Long, ChangeEnvelope> {
        private final int keys;

        Synthetic(int keys) {
            this.keys = keys;
        }

        @Override
        public ChangeEnvelope map(Long i) {
            long row = i % keys;
            Map<String, String> current = new LinkedHashMap<>();
            current.put("id", Long.toString(row));
            current.put(
                    "payload",
                    "\"" + Long.toHexString(i * 0x9E3779B97F4A7C15L) + "0123456789abcdef\"");
            current.put("n", i + ".50");
            current.put("at", "\"2026-11-23T07:00:00.000000+00:00\"");
            return ChangeEnvelope.builder()
                    .id("0/" + Long.toHexString(i) + ":0")
                    .operation(Operation.INSERT)
                    .database("bench")
                    .schema("public")
                    .table("bench_big")
                    .routingKey("cdc.bench_big.insert")
                    .timestampMillis(1_795_000_000_000L)
                    .xid(1000L)
                    .lsn(1_000_000L + i)
                    .commitLsn(2_000_000_000L)
                    .key(RowImage.of(Map.of("id", Long.toString(row))))
                    .current(RowImage.of(current))
                    .build();
        }
    }
}
