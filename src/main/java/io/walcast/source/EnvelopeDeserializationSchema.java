package io.walcast.source;

import io.walcast.config.BeforeImageConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.ChangeEnvelopeTypeInfo;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Flink CDC adapter for {@link RecordNormalizer}: a record that cannot be normalized fails the job.
 */
public final class EnvelopeDeserializationSchema
        implements DebeziumDeserializationSchema<ChangeEnvelope> {
    private final RecordNormalizer normalizer;

    public EnvelopeDeserializationSchema(List<CapturedTable> tables, BeforeImageConfig previous) {
        this.normalizer = new RecordNormalizer(tables, previous);
    }

    @Override
    public void deserialize(SourceRecord record, Collector<ChangeEnvelope> out) {
        ChangeEnvelope envelope;
        try {
            envelope = normalizer.normalize(record);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "cannot turn the change "
                            + RecordNormalizer.describe(record)
                            + " into an envelope: "
                            + e.getMessage(),
                    e);
        }
        if (envelope != null) {
            out.collect(envelope);
        }
    }

    @Override
    public TypeInformation<ChangeEnvelope> getProducedType() {
        return ChangeEnvelopeTypeInfo.INSTANCE;
    }
}
