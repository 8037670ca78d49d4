package io.walcast.source;

import io.walcast.config.BeforeImageConfig;
import io.walcast.config.SourceConfig;
import io.walcast.envelope.ChangeEnvelope;
import java.util.List;
import java.util.Properties;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder.PostgresIncrementalSource;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;

/**
 * Builds the Flink CDC Postgres source: {@code pgoutput}, one slot and one publication per job, the
 * captured tables listed explicitly. Offsets live in Flink checkpoints and the slot's {@code
 * confirmed_flush_lsn} is only advanced after a checkpoint completes, so WAL retention is bounded
 * by the checkpoint interval.
 */
public final class PostgresSources {
    private PostgresSources() {}

    public static SlotGuardedSource<ChangeEnvelope> create(
            SourceConfig source, List<CapturedTable> tables) {
        return create(source, tables, BeforeImageConfig.AUTO);
    }

    /**
     * walcast's source: envelopes, and a job that fails rather than read on from a replication slot
     * that lost changes ({@link SlotGuardedSource}).
     */
    public static SlotGuardedSource<ChangeEnvelope> create(
            SourceConfig source, List<CapturedTable> tables, BeforeImageConfig previous) {
        return new SlotGuardedSource<>(
                create(source, tables, new EnvelopeDeserializationSchema(tables, previous)),
                source);
    }

    /**
     * The bare Flink CDC source with another deserializer and without the slot guard (the
     * benchmark's bare-source drain uses it).
     */
    public static <T> DataFirstSource<T> create(
            SourceConfig source,
            List<CapturedTable> tables,
            DebeziumDeserializationSchema<T> deserializer) {
        if (tables.isEmpty()) {
            throw new SourceException(
                    "no table of database "
                            + source.database()
                            + " matches source.tables "
                            + source.tables()
                            + " (minus source.exclude-tables); check the patterns: they are regular"
                            + " expressions over schema.table, e.g. public\\\\..*");
        }
        PostgresSourceBuilder<T> builder =
                PostgresIncrementalSource.<T>builder()
                        .hostname(source.hostname())
                        .port(source.port())
                        .database(source.database())
                        .schemaList(
                                tables.stream()
                                        .map(CapturedTable::schema)
                                        .distinct()
                                        .toArray(String[]::new))
                        .tableList(
                                tables.stream()
                                        .map(t -> quote(t.qualifiedName()))
                                        .toArray(String[]::new))
                        .username(source.username())
                        .password(source.password().value())
                        .slotName(source.slot())
                        .decodingPluginName("pgoutput")
                        .startupOptions(
                                switch (source.startup()) {
                                    case INITIAL -> StartupOptions.initial();
                                    case LATEST -> StartupOptions.latest();
                                })
                        .splitSize(source.snapshotSplitSize())
                        .heartbeatInterval(source.heartbeat())
                        .debeziumProperties(debeziumProperties(source))
                        .deserializer(deserializer);
        return new DataFirstSource<>(builder, deserializer);
    }

    static Properties debeziumProperties(SourceConfig source) {
        Properties p = new Properties();
        p.setProperty("publication.name", source.publication());
        // Publications.ensure() makes the publication publish exactly the captured tables.
        p.setProperty("publication.autocreate.mode", "disabled");
        // Exact values whatever the column holds, NaN and Infinity included; rendered by
        // ValueRenderer.
        p.setProperty("decimal.handling.mode", "string");
        p.setProperty("converters", "numeric");
        p.setProperty("numeric.type", NumericTextConverter.class.getName());
        p.setProperty("interval.handling.mode", "string");
        p.setProperty("hstore.handling.mode", "json");
        p.setProperty("binary.handling.mode", "bytes");
        p.setProperty("time.precision.mode", "adaptive_time_microseconds");
        p.setProperty("column.propagate.source.type", ".*");
        p.setProperty("include.unknown.datatypes", "true");
        p.setProperty("truncate.handling.mode", "include");
        p.setProperty("slot.drop.on.stop", "false");
        // Larger hand-over batches between the decoder and Flink. The poll interval is paid twice
        // by a change arriving on a quiet stream: the decoder sleeps it when the socket is empty,
        // and Flink CDC's poll of the queue waits it for a batch to fill. 10 ms keeps commit →
        // sink latency low; the wake-ups cost nothing measurable.
        p.setProperty("max.batch.size", "10240");
        p.setProperty("max.queue.size", "40960");
        p.setProperty("poll.interval.ms", "10");
        // Recognised and replaced (or removed) by RecordNormalizer: never reaches a sink. Debezium
        // 1.9 reads the deprecated name first, and it has a default, so both are set.
        p.setProperty("toasted.value.placeholder", RecordNormalizer.UNAVAILABLE_PLACEHOLDER);
        p.setProperty("unavailable.value.placeholder", RecordNormalizer.UNAVAILABLE_PLACEHOLDER);
        if (!source.heartbeatActionQuery().isBlank()) {
            p.setProperty("heartbeat.action.query", source.heartbeatActionQuery());
        }
        return p;
    }

    /** Debezium reads table lists as regular expressions: match this exact name only. */
    static String quote(String qualifiedName) {
        StringBuilder s = new StringBuilder();
        for (char c : qualifiedName.toCharArray()) {
            if (!Character.isLetterOrDigit(c) && c != '_') {
                s.append('\\');
            }
            s.append(c);
        }
        return s.toString();
    }
}
