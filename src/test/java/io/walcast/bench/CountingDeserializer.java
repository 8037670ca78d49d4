package io.walcast.bench;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The least a deserializer can do: emit a marker for each data change (a value with an {@code op}
 * field; heartbeats and schema changes have none) and look at nothing else.
 */
final class CountingDeserializer implements DebeziumDeserializationSchema<Integer> {
    @Override
    public void deserialize(SourceRecord record, Collector<Integer> out) {
        if (record.value() instanceof Struct value && value.schema().field("op") != null) {
            out.collect(1);
        }
    }

    @Override
    public TypeInformation<Integer> getProducedType() {
        return Types.INT;
    }
}
