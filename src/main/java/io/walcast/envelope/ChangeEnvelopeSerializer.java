package io.walcast.envelope;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's wire and state format for {@link ChangeEnvelope}: explicit, versioned, no Kryo. The
 * envelope is immutable, so {@link #copy} returns the instance itself.
 */
public final class ChangeEnvelopeSerializer extends ImmutableSerializer<ChangeEnvelope> {
    public static final ChangeEnvelopeSerializer INSTANCE = new ChangeEnvelopeSerializer();

    /** 2 added previous_unavailable and unavailable_columns; version 1 records still read. */
    private static final int FORMAT_VERSION = 2;

    private static final Operation[] OPERATIONS = Operation.values();

    @Override
    public void serialize(ChangeEnvelope e, DataOutputView out) throws IOException {
        out.writeByte(FORMAT_VERSION);
        out.writeUTF(e.id());
        out.writeByte(e.operation().ordinal());
        writeString(out, e.resource());
        writeString(out, e.database());
        writeString(out, e.schema());
        writeString(out, e.table());
        writeString(out, e.routingKey());
        out.writeLong(e.timestampMillis());
        writeLong(out, e.xid());
        writeLong(out, e.lsn());
        writeLong(out, e.commitLsn());
        out.writeBoolean(e.snapshot());
        writeRow(out, e.key());
        writeRow(out, e.previous());
        writeRow(out, e.current());
        List<String> targets = e.targets();
        out.writeInt(targets == null ? -1 : targets.size());
        if (targets != null) {
            for (String t : targets) {
                out.writeUTF(t);
            }
        }
        out.writeInt(e.metadata().size());
        for (Map.Entry<String, String> m : e.metadata().entrySet()) {
            out.writeUTF(m.getKey());
            out.writeUTF(m.getValue());
        }
        out.writeBoolean(e.previousUnavailable());
        writeStrings(out, e.unavailableColumns());
    }

    private static void writeStrings(DataOutputView out, List<String> list) throws IOException {
        out.writeInt(list == null ? -1 : list.size());
        if (list != null) {
            for (String s : list) {
                out.writeUTF(s);
            }
        }
    }

    private static List<String> readStrings(DataInputView in) throws IOException {
        int count = in.readInt();
        if (count < 0) {
            return null;
        }
        List<String> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(in.readUTF());
        }
        return list;
    }

    @Override
    public ChangeEnvelope deserialize(DataInputView in) throws IOException {
        int version = in.readByte();
        if (version != 1 && version != FORMAT_VERSION) {
            throw new IOException("unknown change envelope format version " + version);
        }
        ChangeEnvelope.Builder b =
                ChangeEnvelope.builder()
                        .id(in.readUTF())
                        .operation(OPERATIONS[in.readByte()])
                        .resource(readString(in))
                        .database(readString(in))
                        .schema(readString(in))
                        .table(readString(in))
                        .routingKey(readString(in))
                        .timestampMillis(in.readLong())
                        .xid(readLong(in))
                        .lsn(readLong(in))
                        .commitLsn(readLong(in))
                        .snapshot(in.readBoolean())
                        .key(readRow(in))
                        .previous(readRow(in))
                        .current(readRow(in));
        int targetCount = in.readInt();
        if (targetCount >= 0) {
            List<String> targets = new ArrayList<>(targetCount);
            for (int i = 0; i < targetCount; i++) {
                targets.add(in.readUTF());
            }
            b.targets(targets);
        }
        int metadataCount = in.readInt();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = 0; i < metadataCount; i++) {
            metadata.put(in.readUTF(), in.readUTF());
        }
        b.metadata(metadata);
        if (version >= 2) {
            b.previousUnavailable(in.readBoolean()).unavailableColumns(readStrings(in));
        }
        return b.build();
    }

    private static void writeString(DataOutputView out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readString(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeLong(DataOutputView out, Long v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) {
            out.writeLong(v);
        }
    }

    private static Long readLong(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readLong() : null;
    }

    private static void writeRow(DataOutputView out, RowImage row) throws IOException {
        out.writeInt(row == null ? -1 : row.size());
        if (row != null) {
            RowImageSerializer.writeEntries(row, out);
        }
    }

    private static RowImage readRow(DataInputView in) throws IOException {
        int size = in.readInt();
        return size < 0 ? null : RowImageSerializer.readEntries(in, size);
    }

    @Override
    public TypeSerializerSnapshot<ChangeEnvelope> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Restores the serializer from savepoints; the format version inside each record does the rest.
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ChangeEnvelope> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
