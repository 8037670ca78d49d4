package io.walcast.sink.paimon;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.RowImage;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.paimon.flink.sink.cdc.RichCdcRecord;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DataTypes;
import org.apache.paimon.types.RowKind;

/**
 * What a change does to a current-state table, as Paimon CDC records: inserts, updates and snapshot
 * rows upsert the row, deletes delete its key, an update that changes the key deletes the old key
 * first. Columns the table does not know yet (added in Postgres while the job runs) are sent as
 * STRING so that Paimon's schema evolution adds them. Truncates are expanded by {@link
 * CurrentStateFunction}, which knows the live keys.
 */
public final class CurrentStateRecords {
    private final TableLayout layout;
    private final ZoneId zone;

    public CurrentStateRecords(TableLayout layout, ZoneId zone) {
        this.layout = layout;
        this.zone = zone;
    }

    /** The key of a row image: its primary-key literals, one per line (never inside a literal). */
    public String keyOf(RowImage row) {
        StringBuilder b = new StringBuilder();
        for (String column : layout.primaryKey()) {
            String value = row.json(column);
            if (value == null) {
                return null;
            }
            if (b.length() > 0) {
                b.append('\n');
            }
            b.append(value);
        }
        return b.toString();
    }

    /** The records for an insert, update, snapshot row or delete, in the order to apply them. */
    public List<RichCdcRecord> records(ChangeEnvelope e) {
        List<RichCdcRecord> out = new ArrayList<>(2);
        switch (e.operation()) {
            case INSERT, SNAPSHOT -> out.add(row(RowKind.INSERT, e.current(), e));
            case UPDATE -> {
                String oldKey = e.previous() == null ? null : keyOf(e.previous());
                if (oldKey != null && !oldKey.equals(keyOf(e.current()))) {
                    out.add(delete(oldKey, e));
                }
                out.add(row(RowKind.INSERT, e.current(), e));
            }
            case DELETE -> {
                RowImage old = e.previous() != null ? e.previous() : e.key();
                out.add(delete(keyOf(old), e));
            }
            default -> {}
        }
        return out;
    }

    /** A delete of the row whose key is {@code key} (as {@link #keyOf} returns it). */
    public RichCdcRecord delete(String key, ChangeEnvelope e) {
        String[] values = key.split("\n", -1);
        RichCdcRecord.Builder b = RichCdcRecord.builder(RowKind.DELETE);
        for (int i = 0; i < values.length; i++) {
            String column = layout.primaryKey().get(i);
            DataType type = layout.type(column);
            b.field(column, type, encode(column, values[i], type, e));
        }
        return b.build();
    }

    private RichCdcRecord row(RowKind kind, RowImage row, ChangeEnvelope e) {
        RichCdcRecord.Builder b = RichCdcRecord.builder(kind);
        for (int i = 0; i < row.size(); i++) {
            String column = row.column(i);
            DataType type = layout.type(column);
            if (type == null) {
                // A column added in Postgres: its text, losslessly, whatever its type.
                type = DataTypes.STRING();
            }
            b.field(column, type, encode(column, row.json(i), type, e));
        }
        return b.build();
    }

    private String encode(String column, String literal, DataType type, ChangeEnvelope e) {
        try {
            return CdcValues.encode(
                    column, literal, type, layout.jsonColumns().contains(column), zone);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException(
                    "cannot materialize "
                            + e.operation().name().toLowerCase(java.util.Locale.ROOT)
                            + " of "
                            + e.qualifiedTable()
                            + " (lsn "
                            + e.lsn()
                            + ", id "
                            + e.id()
                            + ") into Paimon table "
                            + layout.table()
                            + ": "
                            + ex.getMessage(),
                    ex);
        }
    }
}
