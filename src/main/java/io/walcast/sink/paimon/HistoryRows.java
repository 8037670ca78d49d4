package io.walcast.sink.paimon;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.RowImage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.paimon.flink.LogicalTypeConversion;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.types.DataTypes;

/**
 * The history table: one row per envelope, append-only, partitioned by resource and UTC day of the
 * commit, so that reading one resource or one day only opens its partition. Row images are stored
 * as their JSON text, and the whole envelope as {@code envelope}, exactly the bytes other sinks
 * write.
 */
public final class HistoryRows {
    private HistoryRows() {}

    public static final String TABLE = "walcast_history";

    static final List<String> PARTITION = List.of("resource", "day");

    /** The table's schema, with these table options. */
    public static Schema schema(java.util.Map<String, String> options) {
        return Schema.newBuilder()
                .column("id", DataTypes.STRING().notNull())
                .column("operation", DataTypes.STRING().notNull())
                .column("resource", DataTypes.STRING().notNull())
                .column("schema", DataTypes.STRING())
                .column("table", DataTypes.STRING())
                .column("lsn", DataTypes.BIGINT())
                .column("commit_lsn", DataTypes.BIGINT())
                .column("xid", DataTypes.BIGINT())
                .column("timestamp", DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(3))
                .column("snapshot", DataTypes.BOOLEAN())
                .column("key", DataTypes.STRING())
                .column("previous", DataTypes.STRING())
                .column("current", DataTypes.STRING())
                .column("targets", DataTypes.ARRAY(DataTypes.STRING()))
                .column("envelope", DataTypes.STRING().notNull())
                .column("day", DataTypes.STRING().notNull())
                .partitionKeys(PARTITION)
                .options(options)
                .build();
    }

    /** The Flink row type the sink's input carries. */
    public static RowType rowType() {
        return LogicalTypeConversion.toLogicalType(
                new org.apache.paimon.types.RowType(schema(java.util.Map.of()).fields()));
    }

    public static RowData row(ChangeEnvelope e) {
        return GenericRowData.of(
                str(e.id()),
                str(e.operation().name().toLowerCase(Locale.ROOT)),
                str(e.resource()),
                str(e.schema()),
                str(e.table()),
                e.lsn(),
                e.commitLsn(),
                e.xid(),
                TimestampData.fromEpochMillis(e.timestampMillis()),
                e.snapshot(),
                json(e.key()),
                json(e.previous()),
                json(e.current()),
                e.targets() == null
                        ? null
                        : new GenericArrayData(
                                e.targets().stream().map(StringData::fromString).toArray()),
                StringData.fromBytes(e.json()),
                str(day(e.timestampMillis())));
    }

    /**
     * The partition day, {@code yyyy-MM-dd} in UTC, of the commit (of the read for snapshot rows).
     */
    public static String day(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }

    private static StringData json(RowImage row) {
        if (row == null) {
            return null;
        }
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < row.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(quote(row.column(i))).append(':').append(row.json(i));
        }
        return StringData.fromString(b.append('}').toString());
    }

    private static String quote(String name) {
        try {
            return io.walcast.envelope.EnvelopeJson.EXACT.writeValueAsString(name);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static StringData str(String s) {
        return s == null ? null : StringData.fromString(s);
    }
}
