package io.walcast.sink.kinesis;

import io.walcast.config.KinesisSinkConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.sink.EnvelopeSink;
import io.walcast.sink.EnvelopeWriterSink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Puts every envelope's JSON on a Kinesis data stream, partition key {@link PartitionKeys}
 * (resource + primary key). Guarantees: at-least-once (everything buffered is put before a
 * checkpoint completes; a restart replays from the last checkpoint, so duplicates carry
 * already-delivered ids); the changes of one row reach their shard in commit order, also when
 * Kinesis rejects part of a request (see {@link OrderedBatches}); records over the 1 MiB Kinesis
 * limit fail the job unless {@code dead-letter-dir} is set. Defaults: 200 ms buffer time, 500
 * records / 5 MiB per request, 4 requests in flight per subtask, retry until success.
 */
public final class KinesisSink implements EnvelopeSink {
    private final KinesisSinkConfig config;

    public KinesisSink(KinesisSinkConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "kinesis";
    }

    @Override
    public void attach(DataStream<ChangeEnvelope> envelopes) {
        // All changes of one row go through one subtask, which keeps their order.
        envelopes
                .keyBy(new ByPartitionKey())
                .sinkTo(new EnvelopeStreamSink(config))
                .name("sink-kinesis")
                .uid("sink-kinesis");
    }

    /** Routes by the same key Kinesis shards by. */
    static final class ByPartitionKey implements KeySelector<ChangeEnvelope, String> {
        @Override
        public String getKey(ChangeEnvelope e) {
            return PartitionKeys.of(e);
        }
    }

    /** The Sink V2 adapter: one writer, with its own client, per subtask. */
    static final class EnvelopeStreamSink implements EnvelopeWriterSink {
        private final KinesisSinkConfig config;

        EnvelopeStreamSink(KinesisSinkConfig config) {
            this.config = config;
        }

        @Override
        public SinkWriter<ChangeEnvelope> createWriter(WriterInitContext context) {
            return new KinesisEnvelopeWriter(
                    config,
                    KinesisClients.create(config),
                    context.getMailboxExecutor(),
                    context.getProcessingTimeService(),
                    context.metricGroup());
        }
    }
}
