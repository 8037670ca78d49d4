package io.walcast.envelope;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The envelope's JSON codec: field names are the public contract (snake_case, frozen once
 * released). Row values are written as the literal JSON the renderer produced, so no number loses
 * precision on the way out.
 */
public final class EnvelopeJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** Reads numbers as exact decimals so that a read-back row equals the written one. */
    public static final ObjectMapper EXACT =
            new ObjectMapper()
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    /** The second of the last timestamp written, as {@code Instant.toString} renders it. */
    private record Second(long epochSecond, String text) {}

    private static volatile Second lastSecond = new Second(0, "1970-01-01T00:00:00");

    private EnvelopeJson() {}

    /**
     * {@code Instant.ofEpochMilli(epochMillis).toString()}, with the part up to the second reused
     * from the last call: the changes of a transaction share its commit time, and formatting a date
     * was a tenth of the RabbitMQ sink thread's time.
     */
    static String isoMillis(long epochMillis) {
        long epochSecond = Math.floorDiv(epochMillis, 1000);
        int millis = (int) Math.floorMod(epochMillis, 1000);
        Second second = lastSecond;
        if (second.epochSecond() != epochSecond) {
            String full = Instant.ofEpochSecond(epochSecond).toString();
            second = new Second(epochSecond, full.substring(0, full.length() - 1));
            lastSecond = second;
        }
        if (millis == 0) {
            return second.text() + 'Z';
        }
        StringBuilder s = new StringBuilder(second.text().length() + 5).append(second.text());
        s.append(millis < 10 ? ".00" : millis < 100 ? ".0" : ".");
        return s.append(millis).append('Z').toString();
    }

    public static byte[] write(ChangeEnvelope e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", e.id());
            g.writeNumberField("schema_version", e.schemaVersion());
            g.writeStringField("operation", e.operation().wireName());
            g.writeStringField("resource", e.resource());
            g.writeStringField("database", e.database());
            g.writeStringField("schema", e.schema());
            g.writeStringField("table", e.table());
            g.writeStringField("routing_key", e.routingKey());
            g.writeStringField("timestamp", isoMillis(e.timestampMillis()));
            writeNullableNumber(g, "xid", e.xid());
            writeLsn(g, "lsn", e.lsn());
            writeLsn(g, "commit_lsn", e.commitLsn());
            g.writeBooleanField("snapshot", e.snapshot());
            writeRow(g, "key", e.key());
            writeRow(g, "previous", e.previous());
            writeRow(g, "current", e.current());
            g.writeFieldName("targets");
            if (e.targets() == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (String t : e.targets()) {
                    g.writeString(t);
                }
                g.writeEndArray();
            }
            if (e.previousUnavailable()) {
                g.writeBooleanField("previous_unavailable", true);
            }
            if (e.unavailableColumns() != null) {
                g.writeFieldName("unavailable_columns");
                g.writeStartArray();
                for (String c : e.unavailableColumns()) {
                    g.writeString(c);
                }
                g.writeEndArray();
            }
            g.writeFieldName("metadata");
            g.writeStartObject();
            for (Map.Entry<String, String> m : e.metadata().entrySet()) {
                g.writeStringField(m.getKey(), m.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write envelope " + e.id(), ex);
        }
        return out.toByteArray();
    }

    private static void writeNullableNumber(JsonGenerator g, String field, Long value)
            throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, value);
        }
    }

    private static void writeLsn(JsonGenerator g, String field, Long lsn) throws IOException {
        if (lsn == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, Lsn.format(lsn));
        }
    }

    private static void writeRow(JsonGenerator g, String field, RowImage row) throws IOException {
        g.writeFieldName(field);
        if (row == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (int i = 0; i < row.size(); i++) {
            g.writeFieldName(row.column(i));
            g.writeRawValue(row.json(i));
        }
        g.writeEndObject();
    }

    /**
     * Parses an envelope written by {@link #write}; consumers and tests use it to read sinks back.
     */
    public static ChangeEnvelope read(byte[] json) {
        try {
            JsonNode n = EXACT.readTree(json);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("not a change envelope");
            }
            return ChangeEnvelope.builder()
                    .id(n.path("id").asText())
                    .operation(Operation.fromWireName(n.path("operation").asText()))
                    .resource(text(n, "resource"))
                    .database(text(n, "database"))
                    .schema(text(n, "schema"))
                    .table(text(n, "table"))
                    .routingKey(text(n, "routing_key"))
                    .timestampMillis(Instant.parse(n.path("timestamp").asText()).toEpochMilli())
                    .xid(n.path("xid").isNull() ? null : n.path("xid").asLong())
                    .lsn(lsn(n, "lsn"))
                    .commitLsn(lsn(n, "commit_lsn"))
                    .snapshot(n.path("snapshot").asBoolean())
                    .key(row(n.get("key")))
                    .previous(row(n.get("previous")))
                    .current(row(n.get("current")))
                    .targets(targets(n.get("targets")))
                    .metadata(metadata(n.get("metadata")))
                    .previousUnavailable(n.path("previous_unavailable").asBoolean(false))
                    .unavailableColumns(targets(n.get("unavailable_columns")))
                    .build();
        } catch (IOException ex) {
            throw new UncheckedIOException("not a change envelope", ex);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Long lsn(JsonNode n, String field) {
        String text = text(n, field);
        return text == null ? null : Lsn.parse(text);
    }

    private static RowImage row(JsonNode n) throws IOException {
        if (n == null || n.isNull()) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            values.put(f.getKey(), EXACT.writeValueAsString(f.getValue()));
        }
        return RowImage.of(values);
    }

    private static List<String> targets(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        List<String> list = new ArrayList<>();
        n.forEach(t -> list.add(t.asText()));
        return list;
    }

    private static Map<String, String> metadata(JsonNode n) {
        Map<String, String> map = new LinkedHashMap<>();
        if (n != null) {
            n.fields().forEachRemaining(f -> map.put(f.getKey(), f.getValue().asText()));
        }
        return map;
    }
}
