package io.walcast.sink.paimon;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads finite dates and timestamps in the text {@code to_jsonb} writes ({@code 2024-02-29}, {@code
 * 0044-03-15 BC}, {@code 2024-07-01T10:00:00.5+00:00}) as epoch days and epoch microseconds.
 * Postgres counts years like java.time's proleptic calendar, except that it writes year 1 BC as
 * {@code 0001 BC} where java.time says year 0.
 */
final class PostgresDateTimes {
    private PostgresDateTimes() {}

    private static final Pattern DATE = Pattern.compile("(\\d{4,})-(\\d{2})-(\\d{2})");
    private static final Pattern TIMESTAMP =
            Pattern.compile(
                    "(\\d{4,}-\\d{2}-\\d{2})T(\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})?)"
                            + "([+-]\\d{2}(?::\\d{2}){0,2})?");

    /** The epoch day of a date, or null when {@code text} is not one. */
    static Long epochDay(String text) {
        boolean bc = text.endsWith(" BC");
        Matcher m = DATE.matcher(bc ? text.substring(0, text.length() - 3) : text);
        if (!m.matches()) {
            return null;
        }
        try {
            long year = Long.parseLong(m.group(1));
            return LocalDate.of(
                            Math.toIntExact(bc ? 1 - year : year),
                            Integer.parseInt(m.group(2)),
                            Integer.parseInt(m.group(3)))
                    .toEpochDay();
        } catch (DateTimeException | ArithmeticException e) {
            return null;
        }
    }

    /**
     * The epoch microseconds of a timestamp (a wall-clock time read as UTC when it has no offset),
     * or null when {@code text} is not one or lies beyond what a long holds in microseconds.
     */
    static Long epochMicros(String text) {
        boolean bc = text.endsWith(" BC");
        Matcher m = TIMESTAMP.matcher(bc ? text.substring(0, text.length() - 3) : text);
        if (!m.matches()) {
            return null;
        }
        Long day = epochDay(m.group(1) + (bc ? " BC" : ""));
        if (day == null) {
            return null;
        }
        try {
            LocalTime time = LocalTime.parse(m.group(2));
            long offsetSeconds = m.group(3) == null ? 0 : offset(m.group(3)).getTotalSeconds();
            long seconds =
                    Math.addExact(
                            Math.multiplyExact(day, 86_400L), time.toSecondOfDay() - offsetSeconds);
            return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), time.getNano() / 1_000L);
        } catch (DateTimeException | ArithmeticException e) {
            return null;
        }
    }

    /** to_jsonb writes offsets as +00, +05:30 or +05:53:28 (historic local mean times). */
    private static ZoneOffset offset(String text) {
        return ZoneOffset.of(text.length() == 3 ? text + ":00" : text);
    }
}
