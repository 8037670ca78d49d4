package io.walcast.sink.paimon;

import com.fasterxml.jackson.databind.JsonNode;
import io.walcast.envelope.EnvelopeJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.TimestampType;

/**
 * Turns a value of a row image (a JSON literal as Postgres's {@code to_jsonb} renders it) into the
 * text Paimon's CDC writer parses for the column's Paimon type ({@code
 * TypeUtils.castFromCdcValueString}). Values with no exact Paimon form fail with a {@link
 * IllegalArgumentException} naming the column and what to do; nothing is rounded or dropped.
 */
public final class CdcValues {
    private CdcValues() {}

    /**
     * Paimon keeps timestamps as microseconds in a long (its writer refuses what overflows that):
     * {@code ±infinity} become ± the last whole second of that range, 294247-01-10 04:00:54 and
     * 290309-12-21 19:59:06 BC (outside Postgres's range), whatever the column's precision.
     */
    static final long INFINITY_MICROS = Long.MAX_VALUE / 1_000_000L * 1_000_000L;

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
            case FLOAT -> real(literal);
            case DOUBLE -> textOrLiteral(literal); // "NaN", "Infinity" come quoted
            case DECIMAL -> decimal(column, literal, type);
            case DATE -> date(column, literal);
            case TIMESTAMP_WITHOUT_TIME_ZONE -> timestamp(column, literal, (TimestampType) type);
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> instant(column, literal, zone);
            case ARRAY -> array(column, literal);
            default -> textOrLiteral(literal);
        };
    }

    /**
     * A real as the double it is: Paimon parses FLOAT text as a double and refuses one that the
     * float does not equal, as with a real's shortest digits ({@code 1.1754944e-38}).
     */
    private static String real(String literal) {
        return Double.toString(Float.parseFloat(textOrLiteral(literal)));
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

    /**
     * A DATE as its epoch day, which Paimon's CDC parser takes as is (its date text parser knows no
     * era). {@code ±infinity} become the last and first day a Paimon DATE holds, both beyond
     * Postgres's own range (4713 BC to 5874897 AD), so no real date reads as one.
     */
    private static String date(String column, String literal) {
        String s = text(literal);
        Long day =
                switch (s) {
                    case "infinity" -> (long) Integer.MAX_VALUE;
                    case "-infinity" -> (long) Integer.MIN_VALUE;
                    default -> PostgresDateTimes.epochDay(s);
                };
        if (day == null) {
            throw unsupported(column, s, "DATE");
        }
        return Long.toString(day);
    }

    /**
     * A TIMESTAMP of precision 0, 3 or 6 as epoch seconds, milliseconds or microseconds, the
     * numbers Paimon's CDC parser takes for those precisions (BC included); other precisions as
     * wall-clock text, which the parser reads for years 1 to 999999999 only.
     */
    private static String timestamp(String column, String literal, TimestampType type) {
        String s = text(literal);
        long micros = micros(column, s, "TIMESTAMP");
        return switch (type.getPrecision()) {
            case 0 -> Long.toString(Math.floorDiv(micros, 1_000_000L));
            case 3 -> Long.toString(Math.floorDiv(micros, 1_000L));
            case 6 -> Long.toString(micros);
            default -> LOCAL.format(local(column, s, micros, ZoneOffset.UTC, "TIMESTAMP"));
        };
    }

    /**
     * Paimon reads TIMESTAMP_LTZ text as a local time of the JVM's zone; a local time that zone
     * sees twice (or never) would move the instant, so it is refused rather than shifted.
     */
    private static String instant(String column, String literal, ZoneId zone) {
        String s = text(literal);
        long micros = micros(column, s, "TIMESTAMP_LTZ");
        LocalDateTime local = local(column, s, micros, zone, "TIMESTAMP_LTZ");
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

    /**
     * Epoch microseconds of a timestamp(tz) text; the few real values from 294247-01-10 04:00:54 on
     * are refused, so that no real value reads as infinity.
     */
    private static long micros(String column, String s, String type) {
        return switch (s) {
            case "infinity" -> INFINITY_MICROS;
            case "-infinity" -> -INFINITY_MICROS;
            default -> {
                Long micros = PostgresDateTimes.epochMicros(s);
                if (micros == null || micros >= INFINITY_MICROS) {
                    throw unsupported(column, s, type);
                }
                yield micros;
            }
        };
    }

    /** The wall-clock time of {@code micros} in {@code zone}, for Paimon's text parser (no era). */
    private static LocalDateTime local(
            String column, String s, long micros, ZoneId zone, String type) {
        LocalDateTime local =
                LocalDateTime.ofInstant(
                        Instant.ofEpochSecond(
                                Math.floorDiv(micros, 1_000_000L),
                                Math.floorMod(micros, 1_000_000L) * 1_000L),
                        zone);
        if (local.getYear() < 1) {
            throw new IllegalArgumentException(
                    "column "
                            + column
                            + " holds "
                            + s
                            + ", which Paimon's CDC writer cannot store in a "
                            + type
                            + " column (it reads such values as text without an era); keep"
                            + " such values out of materialized tables or cast the column to"
                            + " text");
        }
        return local;
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
                        + " cannot store; keep such values out of materialized tables or cast"
                        + " the column to text");
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
