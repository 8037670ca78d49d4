package io.walcast.source;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;

/**
 * Where the parts of Debezium's change records sit, looked up once per schema instead of by name
 * for every record: Debezium reuses one schema object per table until the table changes, so the
 * caches stay as small as the number of captured tables (they are dropped when they outgrow that).
 */
final class RecordLayouts {
    private static final int MAX_SCHEMAS = 4096;

    /** The change envelope: {@code op} is null for records that are not row changes. */
    record Envelope(Field op, Field source, Field before, Field after, Field tsMs) {}

    /** Debezium's {@code source} block. */
    record Source(
            Field db,
            Field schema,
            Field table,
            Field lsn,
            Field sequence,
            Field txId,
            Field tsMs) {}

    private final Map<Schema, Envelope> envelopes = new IdentityHashMap<>();
    private final Map<Schema, Source> sources = new IdentityHashMap<>();
    private final Map<Schema, String[]> names = new IdentityHashMap<>();
    private final Map<Schema, String[]> streamedNames = new IdentityHashMap<>();

    Envelope envelope(Schema schema) {
        return cached(
                envelopes,
                schema,
                s ->
                        new Envelope(
                                s.field("op"),
                                s.field("source"),
                                s.field("before"),
                                s.field("after"),
                                s.field("ts_ms")));
    }

    Source source(Schema schema) {
        return cached(
                sources,
                schema,
                s ->
                        new Source(
                                s.field("db"),
                                s.field("schema"),
                                s.field("table"),
                                s.field("lsn"),
                                s.field("sequence"),
                                s.field("txId"),
                                s.field("ts_ms")));
    }

    /** A row's column names, shared by every image of that row shape (never modified). */
    String[] columnNames(Schema schema) {
        return cached(
                names, schema, s -> s.fields().stream().map(Field::name).toArray(String[]::new));
    }

    /**
     * Column names of a streamed row. Debezium 1.9's pgoutput decoder turns each byte of a name
     * into a char (sign-extended), so a non-ASCII column name arrives garbled; this undoes exactly
     * that (FLINK-38110 fixes the decoder upstream). Non-ASCII table and key column names are
     * refused by the preflight: their changes do not get this far.
     */
    String[] streamedColumnNames(Schema schema) {
        return cached(
                streamedNames,
                schema,
                s ->
                        Arrays.stream(columnNames(s))
                                .map(RecordLayouts::undoByteWiseDecoding)
                                .toArray(String[]::new));
    }

    static String undoByteWiseDecoding(String name) {
        byte[] bytes = new byte[name.length()];
        boolean garbled = false;
        for (int i = 0; i < bytes.length; i++) {
            char c = name.charAt(i);
            if (c >= 0x80 && c < 0xFF80) {
                return name; // a real character: the name was not decoded byte by byte
            }
            garbled |= c >= 0xFF80;
            bytes[i] = (byte) c;
        }
        if (!garbled) {
            return name;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return name;
        }
    }

    private static <T> T cached(Map<Schema, T> cache, Schema schema, Function<Schema, T> lookup) {
        T found = cache.get(schema);
        if (found == null) {
            if (cache.size() >= MAX_SCHEMAS) {
                cache.clear();
            }
            found = lookup.apply(schema);
            cache.put(schema, found);
        }
        return found;
    }
}
