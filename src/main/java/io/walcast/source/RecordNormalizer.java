package io.walcast.source;

import io.walcast.config.BeforeImageConfig;
import io.walcast.config.BeforeImageConfig.Mode;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Lsn;
import io.walcast.envelope.Operation;
import io.walcast.envelope.RowImage;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns one Debezium change record into a {@link ChangeEnvelope}: the operation, where it happened,
 * its WAL position and a deterministic id, and the row images rendered like {@code to_jsonb}.
 *
 * <p>Ids: a streamed change is {@code <lsn>-<ordinal>}, the LSN in fixed-width hex: a fact of the
 * WAL, so a redelivered change has the same id whichever session decodes it, and the changes of one
 * row sort in commit order (a row's next change is written after its previous one committed). The
 * ordinal tells apart the rows of one multi-row WAL record (COPY, multi-table TRUNCATE). A snapshot
 * row is {@code s-} plus a digest of table and key, the same however often the snapshot is
 * repeated.
 *
 * <p>Before-images: a table whose {@code previous} mode is {@code wal} gets the WAL's old row (only
 * complete with {@code REPLICA IDENTITY FULL}); in {@code state} mode the before-image step fills
 * it in later. A TOAST value an update did not touch reaches us as Debezium's placeholder: it
 * becomes {@link RowImage#UNAVAILABLE}, which the before-image step replaces from state; for tables
 * without state it is removed here and named in {@code unavailable_columns}.
 */
public final class RecordNormalizer implements Serializable {
    /**
     * Debezium's {@code unavailable.value.placeholder}: what it writes for an unchanged TOAST value
     * (for text as this string, for bytea as its bytes). Never left in a row image.
     */
    public static final String UNAVAILABLE_PLACEHOLDER = "__walcast_unchanged_toast_value__";

    private static final byte[] UNAVAILABLE_BYTES =
            UNAVAILABLE_PLACEHOLDER.getBytes(StandardCharsets.UTF_8);

    private final Set<String> fullReplicaIdentity;
    private final Map<String, Mode> modes;
    private transient long lastLsn = -1;
    private transient int ordinal;
    private transient RecordLayouts layouts;
    private transient MessageDigest sha256;

    public RecordNormalizer(List<CapturedTable> tables) {
        this(tables, BeforeImageConfig.AUTO);
    }

    public RecordNormalizer(List<CapturedTable> tables, BeforeImageConfig previous) {
        this.modes =
                tables.stream()
                        .collect(
                                Collectors.toUnmodifiableMap(
                                        CapturedTable::qualifiedName,
                                        t ->
                                                previous.modeFor(
                                                        t.qualifiedName(),
                                                        t.replicaIdentity()
                                                                == CapturedTable.ReplicaIdentity
                                                                        .FULL)));
        this.fullReplicaIdentity =
                tables.stream()
                        .filter(t -> t.replicaIdentity() == CapturedTable.ReplicaIdentity.FULL)
                        .map(CapturedTable::qualifiedName)
                        .collect(Collectors.toUnmodifiableSet());
    }

    /** The envelope for a change record, or {@code null} for records that are not row changes. */
    public ChangeEnvelope normalize(SourceRecord record) {
        if (!(record.value() instanceof Struct value)) {
            return null;
        }
        if (layouts == null) {
            layouts = new RecordLayouts();
        }
        RecordLayouts.Envelope layout = layouts.envelope(value.schema());
        if (layout.op() == null || value.get(layout.op()) == null) {
            return null;
        }
        Struct source = (Struct) value.get(layout.source());
        RecordLayouts.Source at = layouts.source(source.schema());
        Operation op = operation((String) value.get(layout.op()));
        String schema = (String) source.get(at.schema());
        String table = (String) source.get(at.table());
        String qualified = schema + "." + table;
        boolean streamed = op != Operation.SNAPSHOT;
        RowImage key = record.key() instanceof Struct k ? row(k, streamed) : null;
        RowImage before =
                layout.before() == null ? null : row((Struct) value.get(layout.before()), streamed);
        RowImage after =
                layout.after() == null ? null : row((Struct) value.get(layout.after()), streamed);

        RowImage current = op == Operation.DELETE ? null : after;
        ChangeEnvelope.Builder b =
                ChangeEnvelope.builder()
                        .operation(op)
                        .database((String) source.get(at.db()))
                        .schema(schema)
                        .table(table)
                        .key(key);
        boolean hadRow = op == Operation.UPDATE || op == Operation.DELETE;
        Mode mode = modes.getOrDefault(qualified, Mode.STATE);
        RowImage previous = null;
        // Without REPLICA IDENTITY FULL the WAL's old row holds the key only: not a previous image.
        if (hadRow && mode == Mode.WAL && fullReplicaIdentity.contains(qualified)) {
            previous = before;
        }
        if (mode != Mode.STATE) {
            // No state step follows: what the WAL lacks stays unknown, and says so.
            if (previous != null && !previous.unavailableColumns().isEmpty()) {
                previous = null;
            }
            List<String> missing = current == null ? List.of() : current.unavailableColumns();
            if (!missing.isEmpty()) {
                current = current.without(missing);
                b.unavailableColumns(missing);
            }
            b.previousUnavailable(hadRow && previous == null);
        }
        b.previous(previous).current(current);
        if (op == Operation.SNAPSHOT) {
            Long readTime = layout.tsMs() == null ? null : (Long) value.get(layout.tsMs());
            return b.snapshot(true)
                    .timestampMillis(readTime == null ? 0 : readTime)
                    .id(snapshotId(sha256(), qualified, key != null ? key : after))
                    .build();
        }
        long lsn = (Long) source.get(at.lsn());
        if (lsn == lastLsn) {
            ordinal++;
        } else {
            ordinal = 0;
            lastLsn = lsn;
        }
        return b.timestampMillis((Long) source.get(at.tsMs()))
                .xid((Long) source.get(at.txId()))
                .lsn(lsn)
                .commitLsn(commitLsn((String) source.get(at.sequence()), lsn))
                .id(streamId(lsn, ordinal))
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

    static String streamId(long lsn, int ordinal) {
        return appendHex16(new StringBuilder(20), lsn).append('-').append(ordinal).toString();
    }

    private static StringBuilder appendHex16(StringBuilder s, long value) {
        String hex = Long.toHexString(value);
        for (int i = hex.length(); i < 16; i++) {
            s.append('0');
        }
        return s.append(hex);
    }

    /** One digest per normalizer (one per source reader), not a provider lookup per row. */
    private MessageDigest sha256() {
        if (sha256 == null) {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return sha256;
    }

    static String snapshotId(MessageDigest sha, String qualifiedTable, RowImage key) {
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
    }

    /**
     * Debezium's {@code sequence} is {@code ["<last commit lsn>","<lsn>"]}: the commit position the
     * decoding session had reached when this change was decoded. It depends on the session (a
     * session resumed from a checkpoint in the middle of a transaction starts from the restored
     * position), so it never goes into the id.
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

    private RowImage row(Struct struct, boolean streamed) {
        if (struct == null) {
            return null;
        }
        return row(
                struct,
                streamed
                        ? layouts.streamedColumnNames(struct.schema())
                        : layouts.columnNames(struct.schema()));
    }

    static RowImage row(Struct struct, String[] names) {
        List<Field> fields = struct.schema().fields();
        String[] values = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            Field f = fields.get(i);
            Object value = struct.get(f);
            values[i] =
                    isPlaceholder(value)
                            ? RowImage.UNAVAILABLE
                            : ValueRenderer.render(f.schema(), value);
        }
        return RowImage.of(names, values);
    }

    /** Debezium's stand-in for an unchanged TOAST value, in the shapes it converts it to. */
    static boolean isPlaceholder(Object value) {
        if (value instanceof String text) {
            return text.equals(UNAVAILABLE_PLACEHOLDER);
        }
        if (value instanceof byte[] bytes) {
            return Arrays.equals(bytes, UNAVAILABLE_BYTES);
        }
        if (value instanceof ByteBuffer buffer) {
            return buffer.remaining() == UNAVAILABLE_BYTES.length
                    && buffer.duplicate().equals(ByteBuffer.wrap(UNAVAILABLE_BYTES));
        }
        if (value instanceof List<?> list) {
            return list.size() == 1 && isPlaceholder(list.get(0));
        }
        return false;
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
