package io.walcast.envelope;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's state format for a {@link RowImage} (the before-image state): explicit, versioned, no
 * Kryo. Values go as UTF-8 bytes because a TOAST value can exceed writeUTF's 64 KiB limit.
 */
public final class RowImageSerializer extends ImmutableSerializer<RowImage> {
    public static final RowImageSerializer INSTANCE = new RowImageSerializer();

    private static final int FORMAT_VERSION = 1;

    @Override
    public void serialize(RowImage row, DataOutputView out) throws IOException {
        out.writeByte(FORMAT_VERSION);
        out.writeInt(row.size());
        writeEntries(row, out);
    }

    /**
     * The columns and values; values go as UTF-8 bytes, a TOAST value can exceed writeUTF's limit.
     */
    static void writeEntries(RowImage row, DataOutputView out) throws IOException {
        for (int i = 0; i < row.size(); i++) {
            out.writeUTF(row.column(i));
            byte[] json = row.json(i).getBytes(StandardCharsets.UTF_8);
            out.writeInt(json.length);
            out.write(json);
        }
    }

    @Override
    public RowImage deserialize(DataInputView in) throws IOException {
        int version = in.readByte();
        if (version != FORMAT_VERSION) {
            throw new IOException("unknown row image format version " + version);
        }
        return readEntries(in, in.readInt());
    }

    static RowImage readEntries(DataInputView in, int size) throws IOException {
        String[] columns = new String[size];
        String[] values = new String[size];
        for (int i = 0; i < size; i++) {
            columns[i] = in.readUTF();
            byte[] json = new byte[in.readInt()];
            in.readFully(json);
            values[i] = new String(json, StandardCharsets.UTF_8);
        }
        return RowImage.of(columns, values);
    }

    @Override
    public TypeSerializerSnapshot<RowImage> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer from checkpoints; the format byte in each value does the rest. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<RowImage> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
