package io.walcast.source;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import io.walcast.envelope.EnvelopeJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Renders a Debezium column value as the JSON literal Postgres's {@code to_jsonb} produces for it,
 * with the session time zone at UTC. Postgres is the reference: the ITCases compare with {@code
 * to_jsonb(row)} inside Postgres. Debezium runs with {@code decimal.handling.mode=string} so
 * numerics arrive as their exact text (and {@code NaN}/{@code Infinity} cannot crash it).
 */
public final class ValueRenderer {
    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final String NAN = "\"NaN\"";

    private ValueRenderer() {}

    public static String render(Schema schema, Object value) {
        if (value == null) {
            return "null";
        }
        String logical = schema.name();
        if (logical != null) {
            switch (logical) {
                case "io.debezium.time.Date":
                    return quote(LocalDate.ofEpochDay(((Number) value).longValue()).toString());
                case "io.debezium.time.Timestamp":
                    return quote(timestamp(((Number) value).longValue() * 1000));
                case "io.debezium.time.MicroTimestamp":
                    return quote(timestamp(((Number) value).longValue()));
                case "io.debezium.time.NanoTimestamp":
                    return quote(timestamp(((Number) value).longValue() / 1000));
                case "io.debezium.time.ZonedTimestamp":
                    return quote(zonedTimestamp((String) value));
                case "io.debezium.time.Time":
                    return quote(time(((Number) value).longValue() * 1000));
                case "io.debezium.time.MicroTime":
                    return quote(time(((Number) value).longValue()));
                case "io.debezium.time.NanoTime":
                    return quote(time(((Number) value).longValue() / 1000));
                case "io.debezium.time.ZonedTime":
                    return quote(((String) value).replace("Z", "+00"));
                case NumericTextConverter.SCHEMA_NAME:
                    return numeric((String) value);
                case "io.debezium.data.Json":
                    return json((String) value);
                case "org.apache.kafka.connect.data.Decimal":
                    return ((BigDecimal) value).toPlainString();
                default:
                    break;
            }
        }
        String pgType = sourceType(schema);
        return switch (schema.type()) {
            case INT8, INT16, INT32, INT64 -> value.toString();
            case FLOAT32 -> floating(((Number) value).floatValue(), 6);
            case FLOAT64 -> floating(((Number) value).doubleValue(), 15);
            case BOOLEAN -> value.toString();
            case STRING -> string(pgType, (String) value);
            case BYTES -> quote(bytea(value));
            case ARRAY -> array(schema.valueSchema(), (List<?>) value);
            case MAP -> map(schema, (Map<?, ?>) value);
            case STRUCT -> struct((Struct) value);
        };
    }

    /** The Postgres type name Debezium propagates with {@code column.propagate.source.type}. */
    static String sourceType(Schema schema) {
        Map<String, String> params = schema.parameters();
        return params == null ? null : params.get("__debezium.source.column.type");
    }

    private static String string(String pgType, String value) {
        if (pgType != null) {
            switch (pgType.toUpperCase(java.util.Locale.ROOT)) {
                case "NUMERIC", "DECIMAL" -> {
                    return numeric(value);
                }
                case "JSON", "JSONB" -> {
                    return json(value);
                }
                default -> {}
            }
        }
        return quote(value);
    }

    /** Numerics arrive as exact text; the special values are strings in JSON, as in Postgres. */
    static String numeric(String text) {
        return switch (text) {
            case "NaN" -> NAN;
            case "Infinity" -> "\"Infinity\"";
            case "-Infinity" -> "\"-Infinity\"";
            default -> new BigDecimal(text).toPlainString();
        };
    }

    /**
     * Shortest round-trip digits, in fixed notation when the decimal exponent is in [-4, digits)
     * and scientific ({@code 1e+20}) otherwise: what Postgres's {@code float8out}/{@code float4out}
     * print.
     */
    static String floating(double d, int digits) {
        if (Double.isNaN(d)) {
            return NAN;
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0" : "0";
        }
        BigDecimal exact =
                new BigDecimal(digits == 6 ? Float.toString((float) d) : Double.toString(d))
                        .stripTrailingZeros();
        int exponent = exact.precision() - exact.scale() - 1;
        if (exponent >= -4 && exponent < digits) {
            return exact.toPlainString();
        }
        String unscaled = exact.unscaledValue().abs().toString();
        StringBuilder s = new StringBuilder();
        if (exact.signum() < 0) {
            s.append('-');
        }
        s.append(unscaled.charAt(0));
        if (unscaled.length() > 1) {
            s.append('.').append(unscaled, 1, unscaled.length());
        }
        s.append('e').append(exponent < 0 ? '-' : '+');
        int abs = Math.abs(exponent);
        if (abs < 10) {
            s.append('0');
        }
        return s.append(abs).toString();
    }

    /** json and jsonb values become nested JSON, compacted, numbers exact. */
    static String json(String text) {
        try {
            JsonNode node = EnvelopeJson.EXACT.readTree(text);
            return EnvelopeJson.EXACT.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException("not valid JSON in a json column: " + e.getMessage(), e);
        }
    }

    static String timestamp(long micros) {
        LocalDateTime t =
                LocalDateTime.ofEpochSecond(
                        Math.floorDiv(micros, 1_000_000),
                        (int) Math.floorMod(micros, 1_000_000) * 1000,
                        ZoneOffset.UTC);
        return t.toLocalDate() + "T" + time(t.toLocalTime());
    }

    static String zonedTimestamp(String iso) {
        if (iso.equals("infinity") || iso.equals("-infinity")) {
            return iso;
        }
        OffsetDateTime t = OffsetDateTime.parse(iso).withOffsetSameInstant(ZoneOffset.UTC);
        return t.toLocalDate() + "T" + time(t.toLocalTime()) + "+00:00";
    }

    static String time(long micros) {
        return time(LocalTime.ofNanoOfDay(micros * 1000));
    }

    /** {@code HH:MM:SS} plus the fraction without trailing zeros, as Postgres prints it. */
    private static String time(LocalTime t) {
        StringBuilder s = new StringBuilder(15);
        two(s, t.getHour()).append(':');
        two(s, t.getMinute()).append(':');
        two(s, t.getSecond());
        int micros = t.getNano() / 1000;
        if (micros != 0) {
            String frac = String.format("%06d", micros);
            int end = frac.length();
            while (frac.charAt(end - 1) == '0') {
                end--;
            }
            s.append('.').append(frac, 0, end);
        }
        return s.toString();
    }

    private static StringBuilder two(StringBuilder s, int n) {
        return s.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
    }

    /** bytea as Postgres's hex output: {@code \x0a1b}. */
    static String bytea(Object value) {
        byte[] bytes;
        if (value instanceof ByteBuffer b) {
            bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
        } else {
            bytes = (byte[]) value;
        }
        char[] out = new char[2 + bytes.length * 2];
        out[0] = '\\';
        out[1] = 'x';
        for (int i = 0; i < bytes.length; i++) {
            out[2 + 2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[3 + 2 * i] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }

    private static String array(Schema element, List<?> values) {
        StringBuilder s = new StringBuilder().append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                s.append(',');
            }
            s.append(render(element, values.get(i)));
        }
        return s.append(']').toString();
    }

    private static String map(Schema schema, Map<?, ?> values) {
        StringBuilder s = new StringBuilder().append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : values.entrySet()) {
            if (!first) {
                s.append(',');
            }
            first = false;
            s.append(quote(String.valueOf(e.getKey())))
                    .append(':')
                    .append(render(schema.valueSchema(), e.getValue()));
        }
        return s.append('}').toString();
    }

    private static String struct(Struct struct) {
        StringBuilder s = new StringBuilder().append('{');
        boolean first = true;
        for (Field f : struct.schema().fields()) {
            if (!first) {
                s.append(',');
            }
            first = false;
            s.append(quote(f.name())).append(':').append(render(f.schema(), struct.get(f)));
        }
        return s.append('}').toString();
    }

    public static String quote(String text) {
        return '"' + new String(ENCODER.quoteAsString(text)) + '"';
    }
}
