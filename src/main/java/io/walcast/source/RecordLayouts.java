package io.walcast.source;

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
