package io.walcast.source;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Lsn;
import io.walcast.envelope.Operation;
import io.walcast.envelope.RowImage;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns one Debezium change record into a {@link ChangeEnvelope}: the operation, where it happened,
 * its WAL position and a deterministic id, and the row images rendered like {@code to_jsonb}.
 *
 * <p>Ids: a streamed change is {@code <commit lsn>-<lsn>-<ordinal>} in fixed-width hex, so ids sort
 * in stream order and a redelivered change has the same id; the ordinal tells apart the rows of one
 * multi-row WAL record (COPY, multi-table TRUNCATE). A snapshot row is {@code s-} plus a digest of
 * table and key, the same however often the snapshot is repeated.
 */
public final class RecordNormalizer implements Serializable {
    private final Set<String> fullReplicaIdentity;
    private transient long lastLsn = -1;
    private transient long lastCommitLsn = -1;
    private transient int ordinal;

    public RecordNormalizer(List<CapturedTable> tables) {
        this.fullReplicaIdentity =
                tables.stream()
                        .filter(t -> t.replicaIdentity() == CapturedTable.ReplicaIdentity.FULL)
                        .map(CapturedTable::qualifiedName)
                        .collect(Collectors.toUnmodifiableSet());
    }

    /** The envelope for a change record, or {@code null} for records that are not row changes. */
    public ChangeEnvelope normalize(SourceRecord record) {
        if (!(record.value() instanceof Struct value)
                || value.schema().field("op") == null
                || value.getString("op") == null) {
            return null;
        }
        Struct source = value.getStruct("source");
        Operation op = operation(value.getString("op"));
        String schema = source.getString("schema");
        String table = source.getString("table");
        String qualified = schema + "." + table;
        RowImage key = record.key() instanceof Struct k ? row(k) : null;
        RowImage before =
                row(value.schema().field("before") == null ? null : value.getStruct("before"));
        RowImage after =
                row(value.schema().field("after") == null ? null : value.getStruct("after"));

        ChangeEnvelope.Builder b =
                ChangeEnvelope.builder()
                        .operation(op)
                        .database(source.getString("db"))
                        .schema(schema)
                        .table(table)
                        .key(key)
                        .current(op == Operation.DELETE ? null : after);
        // Without REPLICA IDENTITY FULL the WAL's old row holds the key only: not a previous image.
        if ((op == Operation.UPDATE || op == Operation.DELETE)
                && fullReplicaIdentity.contains(qualified)) {
            b.previous(before);
        }
        if (op == Operation.SNAPSHOT) {
            Long readTime = value.getInt64("ts_ms");
            return b.snapshot(true)
                    .timestampMillis(readTime == null ? 0 : readTime)
                    .id(snapshotId(qualified, key != null ? key : after))
                    .build();
        }
        long lsn = source.getInt64("lsn");
        long commitLsn = commitLsn(source.getString("sequence"), lsn);
        if (lsn == lastLsn && commitLsn == lastCommitLsn) {
            ordinal++;
        } else {
            ordinal = 0;
            lastLsn = lsn;
            lastCommitLsn = commitLsn;
        }
        return b.timestampMillis(source.getInt64("ts_ms"))
                .xid(source.getInt64("txId"))
                .lsn(lsn)
                .commitLsn(commitLsn)
                .id(streamId(commitLsn, lsn, ordinal))
                .build();
    }

    static Operation operation(String op) {
        return switch (op) {
            case "r" -> Operation.SNAPSHOT;
            case "c" -> Operation.INSERT;
            case "u" -> Operation.UPDATE;
            case "d" -> Operation.DELETE;
            case "t" -> Operation.TRUNCATE;
            default -> throw new IllegalArgumentException("unknown Debezium operation " + op);
        };
    }

    static String streamId(long commitLsn, long lsn, int ordinal) {
        return String.format("%016x-%016x-%d", commitLsn, lsn, ordinal);
    }

    static String snapshotId(String qualifiedTable, RowImage key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(qualifiedTable.getBytes(StandardCharsets.UTF_8));
            if (key != null) {
                for (int i = 0; i < key.size(); i++) {
                    sha.update((byte) 0);
                    sha.update(key.column(i).getBytes(StandardCharsets.UTF_8));
                    sha.update((byte) 0);
                    sha.update(key.json(i).getBytes(StandardCharsets.UTF_8));
                }
            }
            return "s-" + HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Debezium's {@code sequence} is {@code ["<last commit lsn>","<lsn>"]}: the commit position the
     * stream had reached when this change was decoded. pgoutput delivers transactions in commit
     * order, so (commit lsn, lsn) orders changes as the stream delivers them.
     */
    static long commitLsn(String sequence, long lsn) {
        if (sequence == null) {
            return lsn;
        }
        int start = sequence.indexOf('"');
        int end = start < 0 ? -1 : sequence.indexOf('"', start + 1);
        if (end < 0) {
            return lsn;
        }
        String first = sequence.substring(start + 1, end);
        return first.isEmpty() || first.equals("null") ? lsn : Long.parseLong(first);
    }

    static RowImage row(Struct struct) {
        if (struct == null) {
            return null;
        }
        List<Field> fields = struct.schema().fields();
        String[] names = new String[fields.size()];
        String[] values = new String[fields.size()];
        for (int i = 0; i < names.length; i++) {
            Field f = fields.get(i);
            Schema s = f.schema();
            names[i] = f.name();
            values[i] = ValueRenderer.render(s, struct.get(f));
        }
        return RowImage.of(names, values);
    }

    static String describe(SourceRecord record) {
        Object v = record.value();
        if (v instanceof Struct s && s.schema().field("source") != null) {
            Struct source = s.getStruct("source");
            Map<String, ?> offset = record.sourceOffset();
            return source.getString("schema")
                    + "."
                    + source.getString("table")
                    + " op="
                    + s.getString("op")
                    + (source.getInt64("lsn") == null
                            ? ""
                            : " lsn=" + Lsn.format(source.getInt64("lsn")))
                    + (offset == null ? "" : " offset=" + offset);
        }
        return String.valueOf(record.topic());
    }
}
