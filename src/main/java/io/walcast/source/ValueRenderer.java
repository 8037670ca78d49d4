package io.walcast.source;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import io.walcast.envelope.EnvelopeJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.postgresql.PGStatement;

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
                    return quote(date(((Number) value).intValue()));
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
                    return numericText((String) value);
                case "io.debezium.data.Bits":
                    return quote(bits(value, schema.parameters()));
                case "io.debezium.data.geometry.Point":
                    Struct point = (Struct) value;
                    return quote(
                            "("
                                    + floating(point.getFloat64("x"), 15)
                                    + ","
                                    + floating(point.getFloat64("y"), 15)
                                    + ")");
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
                // bit(1) arrives as a boolean; Postgres prints it as a bit string.
            case BOOLEAN ->
                    "BIT".equalsIgnoreCase(pgType)
                            ? quote((Boolean) value ? "1" : "0")
                            : value.toString();
            case STRING -> string(pgType, (String) value);
                // Types Debezium does not know (box, tsvector, …) arrive as the bytes of their text
                // form.
            case BYTES ->
                    quote(
                            pgType == null || pgType.equalsIgnoreCase("BYTEA")
                                    ? bytea(value)
                                    : unknownType(pgType, utf8(value)));
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
                case "INTERVAL" -> {
                    return quote(interval(value));
                }
                case "MONEY" -> {
                    return quote(money(value));
                }
                default -> {
                    return quote(unknownType(pgType, value));
                }
            }
        }
        return quote(value);
    }

    /** {@link NumericTextConverter}'s text is already plain decimal: only special values change. */
    static String numericText(String text) {
        return switch (text) {
            case "NaN" -> NAN;
            case "Infinity" -> "\"Infinity\"";
            case "-Infinity" -> "\"-Infinity\"";
            default -> text;
        };
    }

    /** Numerics as exact decimal text from elsewhere (Debezium's string mode): made plain first. */
    static String numeric(String text) {
        return numericText(
                SPECIAL_NUMERICS.contains(text) ? text : new BigDecimal(text).toPlainString());
    }

    private static final java.util.Set<String> SPECIAL_NUMERICS =
            java.util.Set.of("NaN", "Infinity", "-Infinity");

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
        BigDecimal exact = shortest(d, digits == 6);
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

    /**
     * The fewest significant digits that read back as the same float or double (what Ryu gives
     * Postgres). Java 17's own rendering is shortest but for rare values, so it is the start and
     * usually the answer.
     */
    private static BigDecimal shortest(double d, boolean single) {
        BigDecimal best =
                new BigDecimal(single ? Float.toString((float) d) : Double.toString(d))
                        .stripTrailingZeros();
        while (best.precision() > 1) {
            BigDecimal shorter =
                    best.round(new MathContext(best.precision() - 1, RoundingMode.HALF_EVEN));
            if (single ? shorter.floatValue() != (float) d : shorter.doubleValue() != d) {
                break;
            }
            best = shorter.stripTrailingZeros();
        }
        return best;
    }

    private static final Pattern ISO_INTERVAL =
            Pattern.compile("P(-?\\d+)Y(-?\\d+)M(-?\\d+)DT(-?\\d+)H(-?\\d+)M(-?[\\d.]+)S");

    /**
     * Debezium's ISO-8601 interval ({@code P1Y2M3DT4H5M6.788999999S}, seconds as a double) in
     * Postgres's own output style: {@code 1 year 2 mons 3 days 04:05:06.789}.
     */
    static String interval(String iso) {
        Matcher m = ISO_INTERVAL.matcher(iso);
        if (!m.matches()) {
            return iso;
        }
        StringBuilder s = new StringBuilder();
        unit(s, Long.parseLong(m.group(1)), "year");
        unit(s, Long.parseLong(m.group(2)), "mon");
        unit(s, Long.parseLong(m.group(3)), "day");
        long micros =
                (Long.parseLong(m.group(4)) * 3600 + Long.parseLong(m.group(5)) * 60) * 1_000_000
                        + new BigDecimal(m.group(6))
                                .setScale(6, RoundingMode.HALF_UP)
                                .movePointRight(6)
                                .longValueExact();
        if (micros != 0 || s.length() == 0) {
            if (s.length() > 0) {
                s.append(' ');
            }
            if (micros < 0) {
                s.append('-');
                micros = -micros;
            }
            long seconds = micros / 1_000_000;
            s.append(
                    String.format(
                            Locale.ROOT,
                            "%02d:%02d:%02d",
                            seconds / 3600,
                            seconds / 60 % 60,
                            seconds % 60));
            appendFraction(s, (int) (micros % 1_000_000));
        }
        return s.toString();
    }

    private static void unit(StringBuilder s, long n, String name) {
        if (n != 0) {
            s.append(s.length() > 0 ? " " : "").append(n).append(' ').append(name);
            if (n != 1) {
                s.append('s');
            }
        }
    }

    /** money as Postgres prints it with a C or en_US {@code lc_monetary}: {@code -$1,234.50}. */
    static String money(String amount) {
        BigDecimal value = new BigDecimal(amount).setScale(2, RoundingMode.HALF_EVEN);
        String digits = String.format(Locale.US, "%,.2f", value.abs());
        return (value.signum() < 0 ? "-$" : "$") + digits;
    }

    /** bit/varbit: Debezium's little-endian bit set, printed most significant bit first. */
    static String bits(Object value, Map<String, String> parameters) {
        byte[] bytes = value instanceof ByteBuffer b ? bytes(b) : (byte[]) value;
        BitSet set = BitSet.valueOf(bytes);
        String declared = parameters == null ? null : parameters.get("length");
        int length =
                declared != null && Integer.parseInt(declared) <= bytes.length * 8
                        ? Integer.parseInt(declared)
                        : Math.max(1, set.length());
        StringBuilder s = new StringBuilder(length);
        for (int i = length - 1; i >= 0; i--) {
            s.append(set.get(i) ? '1' : '0');
        }
        return s.toString();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static final Pattern WHOLE_COORDINATE =
            Pattern.compile("(?<=[(\\[<{,])(-?\\d+)\\.0(?=[,)\\]>}])");

    /**
     * Geometric values come as Java's rendering of their coordinates ({@code 1.0}); Postgres prints
     * {@code 1}.
     */
    private static String unknownType(String pgType, String text) {
        return switch (pgType.toUpperCase(Locale.ROOT)) {
            case "BOX", "LSEG", "LINE", "PATH", "POLYGON", "CIRCLE" ->
                    WHOLE_COORDINATE.matcher(text).replaceAll("$1");
            default -> text;
        };
    }

    private static String utf8(Object value) {
        byte[] bytes = value instanceof ByteBuffer b ? bytes(b) : (byte[]) value;
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Days since 1970 as Postgres prints the date, {@code BC} for years before 1. The JDBC driver
     * and Debezium turn {@code ±infinity} into out-of-range days (different ones in the snapshot
     * and in the stream); no real Postgres date lies below 4713 BC, so those are mapped back.
     */
    static String date(int days) {
        switch (days) {
            case -622191234, -2147472692 -> {
                return "infinity";
            }
            case -625821272, -2147472691 -> {
                return "-infinity";
            }
            default -> {}
        }
        LocalDate d = LocalDate.ofEpochDay(days);
        return d.getYear() > 0
                ? d.toString()
                : bc(d.getYear()) + d.toString().substring(d.toString().indexOf('-', 1)) + " BC";
    }

    private static String bc(int isoYear) {
        return String.format(Locale.ROOT, "%04d", 1 - isoYear);
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
        // ±infinity reach us as the extreme microsecond counts.
        if (micros == PGStatement.DATE_POSITIVE_INFINITY) {
            return "infinity";
        }
        if (micros == PGStatement.DATE_NEGATIVE_INFINITY) {
            return "-infinity";
        }
        LocalDateTime t =
                LocalDateTime.ofEpochSecond(
                        Math.floorDiv(micros, 1_000_000),
                        (int) Math.floorMod(micros, 1_000_000) * 1000,
                        ZoneOffset.UTC);
        int year = t.getYear();
        if (year > 0) {
            return t.toLocalDate() + "T" + time(t.toLocalTime());
        }
        return bc(year)
                + t.toLocalDate().toString().substring(t.toLocalDate().toString().indexOf('-', 1))
                + "T"
                + time(t.toLocalTime())
                + " BC";
    }

    static String zonedTimestamp(String iso) {
        if (iso.equals("infinity") || iso.equals("-infinity")) {
            return iso;
        }
        // Debezium writes UTC as yyyy-MM-ddTHH:mm:ss[.f]Z with the fraction already trimmed: only
        // the offset changes (a hot path; parsing costs more than the rest of the row).
        int last = iso.length() - 1;
        if (last >= 19
                && iso.charAt(last) == 'Z'
                && iso.charAt(4) == '-'
                && iso.charAt(10) == 'T'
                && iso.charAt(16) == ':'
                && (last == 19 || iso.charAt(19) == '.' && iso.charAt(last - 1) != '0')) {
            return iso.substring(0, last) + "+00:00";
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
        appendFraction(s, t.getNano() / 1000);
        return s.toString();
    }

    /** {@code .ffffff} without trailing zeros; nothing for a whole second. */
    private static void appendFraction(StringBuilder s, int micros) {
        if (micros != 0) {
            int digits = 6;
            while (micros % 10 == 0) {
                micros /= 10;
                digits--;
            }
            s.append('.');
            for (int i = stringSize(micros); i < digits; i++) {
                s.append('0');
            }
            s.append(micros);
        }
    }

    private static int stringSize(int positive) {
        int size = 1;
        for (int n = positive; n >= 10; n /= 10) {
            size++;
        }
        return size;
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
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return '"' + new String(ENCODER.quoteAsString(text)) + '"';
            }
        }
        return '"' + text + '"';
    }
}
