package io.walcast.sink.paimon;

import com.fasterxml.jackson.databind.JsonNode;
import io.walcast.envelope.EnvelopeJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.apache.paimon.types.DataType;

/**
 * Turns a value of a row image (a JSON literal as Postgres's {@code to_jsonb} renders it) into the
 * text Paimon's CDC writer parses for the column's Paimon type ({@code
 * TypeUtils.castFromCdcValueString}). Values with no exact Paimon form fail with a {@link
 * IllegalArgumentException} naming the column and what to do; nothing is rounded or dropped.
 */
public final class CdcValues {
    private CdcValues() {}

    private static final DateTimeFormatter LOCAL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT);

    /**
     * The CDC text of {@code literal} for a column of type {@code type}, or null for SQL NULL.
     *
     * @param keepsJson whether the column is json/jsonb (its JSON text is the value)
     * @param zone the zone Paimon reads TIMESTAMP_LTZ text in: the JVM's default zone
     */
    public static String encode(
            String column, String literal, DataType type, boolean keepsJson, ZoneId zone) {
        if (literal == null || literal.equals("null")) {
            return null;
        }
        return switch (type.getTypeRoot()) {
            case CHAR, VARCHAR -> keepsJson ? literal : textOrLiteral(literal);
            case BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT -> literal;
            case FLOAT, DOUBLE -> textOrLiteral(literal); // "NaN", "Infinity" come quoted
            case DECIMAL -> decimal(column, literal, type);
            case DATE -> date(column, literal);
            case TIMESTAMP_WITHOUT_TIME_ZONE -> timestamp(column, literal);
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> instant(column, literal, zone);
            case ARRAY -> array(column, literal);
            default -> textOrLiteral(literal);
        };
    }

    private static String decimal(String column, String literal, DataType type) {
        if (literal.startsWith("\"")) {
            throw new IllegalArgumentException(
                    "column "
                            + column
                            + " holds "
                            + text(literal)
                            + ", which "
                            + type
                            + " cannot store; declare the Postgres column without precision"
                            + " (plain numeric maps to STRING) or keep such values out of it");
        }
        return literal;
    }

    private static String date(String column, String literal) {
        String s = text(literal);
        if (!s.matches("\\d{4}-\\d{2}-\\d{2}")) {
            throw unsupported(column, s, "DATE");
        }
        return s;
    }

    private static String timestamp(String column, String literal) {
        String s = text(literal);
        if (!s.matches("\\d{4}-\\d{2}-\\d{2}T[0-9:.]+")) {
            throw unsupported(column, s, "TIMESTAMP");
        }
        return s.replace('T', ' ');
    }

    /**
     * Paimon reads TIMESTAMP_LTZ text as a local time of the JVM's zone; a local time that zone
     * sees twice (or never) would move the instant, so it is refused rather than shifted.
     */
    private static String instant(String column, String literal, ZoneId zone) {
        String s = text(literal);
        OffsetDateTime odt;
        try {
            odt = OffsetDateTime.parse(normalizeOffset(s));
        } catch (RuntimeException e) {
            throw unsupported(column, s, "TIMESTAMP_LTZ");
        }
        LocalDateTime local = LocalDateTime.ofInstant(odt.toInstant(), zone);
        if (zone.getRules().getValidOffsets(local).size() != 1) {
            throw new IllegalArgumentException(
                    "column "
                            + column
                            + ": instant "
                            + s
                            + " falls in a daylight-saving overlap of the JVM time zone "
                            + zone
                            + "; run the TaskManagers with -Duser.timezone=UTC (env.java.opts)");
        }
        return LOCAL.format(local);
    }

    /** to_jsonb writes offsets as +00 or +05:30; java.time wants +00:00. */
    private static String normalizeOffset(String s) {
        return s.matches(".*[+-]\\d{2}$") ? s + ":00" : s;
    }

    private static String array(String column, String literal) {
        JsonNode node = parse(literal);
        for (JsonNode element : node) {
            if (element.isContainerNode()) {
                throw new IllegalArgumentException(
                        "column "
                                + column
                                + " holds a multi-dimensional array, which a Paimon ARRAY of"
                                + " scalars cannot store; use a one-dimensional array or"
                                + " exclude the column");
            }
        }
        return literal;
    }

    private static IllegalArgumentException unsupported(String column, String value, String type) {
        return new IllegalArgumentException(
                "column "
                        + column
                        + " holds "
                        + value
                        + ", which Paimon "
                        + type
                        + " cannot store (infinity, BC dates); keep such values out of"
                        + " materialized tables or cast the column to text");
    }

    /** A JSON string's text, or the literal itself for numbers, booleans, objects, arrays. */
    private static String textOrLiteral(String literal) {
        return literal.startsWith("\"") ? text(literal) : literal;
    }

    private static String text(String literal) {
        return literal.startsWith("\"") ? parse(literal).textValue() : literal;
    }

    private static JsonNode parse(String literal) {
        try {
            return EnvelopeJson.EXACT.readTree(literal);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON literal: " + literal, e);
        }
    }
}
