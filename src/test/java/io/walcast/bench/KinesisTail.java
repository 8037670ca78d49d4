package io.walcast.bench;

import io.walcast.testing.KinesisEmulator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Record;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Shard;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** Follows every shard of a Kinesis stream from its start, as a consumer would. */
final class KinesisTail {
    private final KinesisEmulator kinesis;
    private final Map<String, String> iterators = new LinkedHashMap<>();
    private final Consumer<Record> onRecord;
    private long count;

    KinesisTail(KinesisEmulator kinesis, String stream, Consumer<Record> onRecord)
            throws Exception {
        this.kinesis = kinesis;
        this.onRecord = onRecord;
        for (Shard s :
                kinesis.client()
                        .listShards(b -> b.streamName(stream))
                        .get(1, TimeUnit.MINUTES)
                        .shards()) {
            iterators.put(
                    s.shardId(),
                    kinesis.client()
                            .getShardIterator(
                                    b ->
                                            b.streamName(stream)
                                                    .shardId(s.shardId())
                                                    .shardIteratorType(
                                                            ShardIteratorType.TRIM_HORIZON))
                            .get(1, TimeUnit.MINUTES)
                            .shardIterator());
        }
    }

    /** Reads whatever arrived since the last poll; returns the number of records read so far. */
    long poll() throws Exception {
        for (var e : iterators.entrySet()) {
            while (true) {
                String it = e.getValue();
                GetRecordsResponse r;
                try {
                    r =
                            kinesis.client()
                                    .getRecords(b -> b.shardIterator(it).limit(2_000))
                                    .get(30, TimeUnit.SECONDS);
                } catch (TimeoutException starved) {
                    break; // the emulator is busy taking records in: same iterator next time
                }
                e.setValue(r.nextShardIterator());
                if (r.records().isEmpty()) {
                    break;
                }
                r.records().forEach(onRecord);
                count += r.records().size();
            }
        }
        return count;
    }
}
