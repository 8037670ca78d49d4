package io.walcast.sink.paimon;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DataTypes;

/**
 * The type a Postgres column gets in a Paimon table, from its type as {@code format_type} prints
 * it. Every mapping is lossless; what has no exact Paimon type becomes STRING holding the value's
 * text (see README "Materialized datasets" for the table).
 */
public final class PaimonTypes {
    private PaimonTypes() {}

    /** Paimon's DECIMAL holds at most 38 digits. */
    static final int MAX_DECIMAL_PRECISION = 38;

    private static final Pattern ARRAY_ELEMENTS =
            Pattern.compile(
                    "smallint|integer|bigint|boolean|double precision|text|uuid"
                            + "|character varying(\\(\\d+\\))?|character(\\(\\d+\\))?");
    private static final Pattern NUMERIC = Pattern.compile("numeric\\((\\d+),(\\d+)\\)");
    private static final Pattern TIMESTAMP =
            Pattern.compile("timestamp(?:\\((\\d)\\))? (without|with) time zone");

    public static DataType of(String postgresType) {
        String t = postgresType.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("[]")) {
            String element = t.substring(0, t.length() - 2);
            // Paimon parses array elements as JSON doubles: only types that survive that exactly
            // become ARRAY; the others (numeric[], json[], 2-d arrays in any type) keep JSON text.
            return ARRAY_ELEMENTS.matcher(element).matches()
                    ? DataTypes.ARRAY(of(element))
                    : DataTypes.STRING();
        }
        switch (t) {
            case "smallint":
                return DataTypes.SMALLINT();
            case "integer":
                return DataTypes.INT();
            case "bigint":
                return DataTypes.BIGINT();
            case "real":
                return DataTypes.FLOAT();
            case "double precision":
                return DataTypes.DOUBLE();
            case "boolean":
                return DataTypes.BOOLEAN();
            case "date":
                return DataTypes.DATE();
            default:
                break;
        }
        Matcher numeric = NUMERIC.matcher(t);
        if (numeric.matches()) {
            int precision = Integer.parseInt(numeric.group(1));
            int scale = Integer.parseInt(numeric.group(2));
            // Beyond 38 digits the exact decimal text is kept instead.
            return precision <= MAX_DECIMAL_PRECISION
                    ? DataTypes.DECIMAL(precision, scale)
                    : DataTypes.STRING();
        }
        Matcher ts = TIMESTAMP.matcher(t);
        if (ts.matches()) {
            int precision = ts.group(1) == null ? 6 : Integer.parseInt(ts.group(1));
            return ts.group(2).equals("with")
                    ? DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(precision)
                    : DataTypes.TIMESTAMP(precision);
        }
        // text, varchar(n), char(n), uuid, json, jsonb, numeric, time, interval, enums, and
        // bytea as Postgres's hex text (Paimon's CDC writer cannot take arbitrary bytes), …
        return DataTypes.STRING();
    }

    /** Whether values are stored as their JSON text (json, jsonb) rather than unquoted. */
    public static boolean keepsJson(String postgresType) {
        if (postgresType == null) {
            return false;
        }
        String t = postgresType.trim().toLowerCase(Locale.ROOT);
        return t.equals("json") || t.equals("jsonb");
    }
}
