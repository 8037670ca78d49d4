package io.walcast.source;

import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.cdc.connectors.base.config.SourceConfig;
import org.apache.flink.cdc.connectors.base.source.meta.offset.OffsetFactory;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceRecords;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitState;
import org.apache.flink.cdc.connectors.base.source.metrics.SourceReaderMetrics;
import org.apache.flink.cdc.connectors.base.source.reader.IncrementalSourceRecordEmitter;
import org.apache.flink.cdc.connectors.base.utils.SourceRecordUtils;
import org.apache.flink.cdc.connectors.postgres.source.PostgresDialect;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder.PostgresIncrementalSource;
import org.apache.flink.cdc.connectors.postgres.source.config.PostgresSourceConfigFactory;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffsetFactory;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Flink CDC's Postgres source, with an emitter that recognises data changes first. The stock one
 * asks every record whether it is a schema change before anything else, by matching its key
 * schema's name against a regular expression compiled anew each time ({@code
 * SourceRecordUtils.isSchemaChangeEvent}): a quarter of the source thread's samples in a profile of
 * the initial snapshot. A data change record (one with an {@code op}) is neither a watermark nor a
 * schema change, so testing for it first emits exactly what the stock emitter emits.
 */
public final class DataFirstSource<T> extends PostgresIncrementalSource<T> {
    private static final long serialVersionUID = 1L;

    /** The source {@code builder} describes (its {@code build()} would make the stock one). */
    DataFirstSource(
            PostgresSourceBuilder<T> builder, DebeziumDeserializationSchema<T> deserializer) {
        this(builder.getConfigFactory(), deserializer);
    }

    private DataFirstSource(
            PostgresSourceConfigFactory configFactory,
            DebeziumDeserializationSchema<T> deserializer) {
        super(
                configFactory,
                deserializer,
                new PostgresOffsetFactory(),
                new PostgresDialect(configFactory.create(0)));
    }

    @Override
    protected RecordEmitter<SourceRecords, T, SourceSplitState> createRecordEmitter(
            SourceConfig sourceConfig, SourceReaderMetrics metrics) {
        return new Emitter<>(
                deserializationSchema,
                metrics,
                sourceConfig.isIncludeSchemaChanges(),
                offsetFactory);
    }

    private static final class Emitter<T> extends IncrementalSourceRecordEmitter<T> {
        Emitter(
                DebeziumDeserializationSchema<T> deserializer,
                SourceReaderMetrics metrics,
                boolean includeSchemaChanges,
                OffsetFactory offsets) {
            super(deserializer, metrics, includeSchemaChanges, offsets);
        }

        @Override
        protected void processElement(
                SourceRecord element, SourceOutput<T> output, SourceSplitState splitState)
                throws Exception {
            if (!SourceRecordUtils.isDataChangeRecord(element)) {
                super.processElement(element, output, splitState);
                return;
            }
            // the stock emitter's data change branch
            if (splitState.isStreamSplitState()) {
                splitState.asStreamSplitState().setStartingOffset(getOffsetPosition(element));
            }
            reportMetrics(element);
            emitElement(element, output);
        }
    }
}
