package io.walcast.sink.paimon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.apache.paimon.data.Decimal;
import org.apache.paimon.data.InternalArray;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DataTypes;
import org.apache.paimon.utils.TypeUtils;
import org.junit.jupiter.api.Test;

/**
 * Each value goes through {@link CdcValues} and then through Paimon's own CDC parser, so the tests
 * check what Paimon finally stores, not just the intermediate text.
 */
class CdcValuesTest {
    private static Object stored(String literal, DataType type) {
        return stored(literal, type, false, ZoneOffset.UTC);
    }

    private static Object stored(String literal, DataType type, boolean json, ZoneId zone) {
        String text = CdcValues.encode("c", literal, type, json, zone);
        return text == null ? null : TypeUtils.castFromCdcValueString(text, type);
    }

    @Test
    void nullIsNull() {
        assertThat(stored("null", DataTypes.INT())).isNull();
        assertThat(stored("null", DataTypes.STRING())).isNull();
    }

    @Test
    void numbersKeepEveryDigit() {
        assertThat(stored("9223372036854775807", DataTypes.BIGINT()))
                .isEqualTo(9223372036854775807L);
        assertThat(((Decimal) stored("12345.678", DataTypes.DECIMAL(12, 3))).toBigDecimal())
                .isEqualByComparingTo("12345.678");
        assertThat(
                        stored(
                                        "123456789012345678901234567890123456789012.123456789",
                                        DataTypes.STRING())
                                .toString())
                .isEqualTo("123456789012345678901234567890123456789012.123456789");
        assertThat(stored("\"NaN\"", DataTypes.STRING()).toString()).isEqualTo("NaN");
        assertThat((Double) stored("\"-Infinity\"", DataTypes.DOUBLE()))
                .isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat((Double) stored("\"NaN\"", DataTypes.DOUBLE())).isNaN();
        assertThat(stored("0.1", DataTypes.DOUBLE())).isEqualTo(0.1);
        // Postgres's shortest digits of real extremes, which Paimon's float parser refuses as is
        assertThat(stored("1.1754944e-38", DataTypes.FLOAT())).isEqualTo(1.17549435e-38f);
        assertThat(stored("3.4028235e38", DataTypes.FLOAT())).isEqualTo(Float.MAX_VALUE);
        assertThat(stored("1e-45", DataTypes.FLOAT())).isEqualTo(Float.MIN_VALUE);
        assertThat((Float) stored("\"NaN\"", DataTypes.FLOAT())).isNaN();
        assertThat(stored("\"-Infinity\"", DataTypes.FLOAT())).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void nanInADecimalColumnFailsSayingWhatToDo() {
        assertThatThrownBy(() -> stored("\"NaN\"", DataTypes.DECIMAL(10, 2)))
                .hasMessageContaining("column c holds NaN")
                .hasMessageContaining("without precision");
    }

    @Test
    void stringsAreUnquotedAndJsonKeepsItsText() {
        assertThat(stored("\"hé \\\"quoted\\\" \\\\ back\"", DataTypes.STRING()).toString())
                .isEqualTo("hé \"quoted\" \\ back");
        assertThat(
                        stored("{\"a\": [1, 2.50]}", DataTypes.STRING(), true, ZoneOffset.UTC)
                                .toString())
                .isEqualTo("{\"a\": [1, 2.50]}");
        assertThat(stored("\"text in jsonb\"", DataTypes.STRING(), true, ZoneOffset.UTC).toString())
                .isEqualTo("\"text in jsonb\"");
        assertThat(stored("\"\\\\x00ff10\"", DataTypes.STRING()).toString()).isEqualTo("\\x00ff10");
    }

    @Test
    void datesAndTimestampsKeepTheirValueAndZone() {
        assertThat(stored("\"2024-02-29\"", DataTypes.DATE())).isEqualTo(19782);
        Timestamp ts = (Timestamp) stored("\"2024-01-02T03:04:05.123456\"", DataTypes.TIMESTAMP(6));
        assertThat(ts.toLocalDateTime()).hasToString("2024-01-02T03:04:05.123456");
        // Paimon reads LTZ text in the JVM zone: the instant must survive whatever that zone is.
        for (String zone : new String[] {"UTC", "America/New_York", "Asia/Kolkata"}) {
            String text =
                    CdcValues.encode(
                            "c",
                            "\"2024-07-01T10:00:00.5+00:00\"",
                            DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(6),
                            false,
                            ZoneId.of(zone));
            java.util.TimeZone before = java.util.TimeZone.getDefault();
            try {
                java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone(zone));
                Timestamp ltz =
                        (Timestamp)
                                TypeUtils.castFromCdcValueString(
                                        text, DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(6));
                assertThat(ltz.toInstant()).as(zone).hasToString("2024-07-01T10:00:00.500Z");
            } finally {
                java.util.TimeZone.setDefault(before);
            }
        }
    }

    @Test
    void anInstantTheJvmZoneSeesTwiceIsRefused() {
        // 2024-11-03 01:30 happens twice in New York.
        assertThatThrownBy(
                        () ->
                                CdcValues.encode(
                                        "c",
                                        "\"2024-11-03T05:30:00+00:00\"",
                                        DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(6),
                                        false,
                                        ZoneId.of("America/New_York")))
                .hasMessageContaining("-Duser.timezone=UTC");
    }

    @Test
    void bcDatesAndTimestampsKeepTheirDay() {
        // Postgres writes year 1 BC as 0001 BC; java.time calls it year 0.
        assertThat(stored("\"0044-03-15 BC\"", DataTypes.DATE()))
                .isEqualTo((int) LocalDate.of(-43, 3, 15).toEpochDay());
        for (int precision : new int[] {0, 3, 6}) {
            Timestamp ts =
                    (Timestamp)
                            stored("\"0001-01-01T00:00:00 BC\"", DataTypes.TIMESTAMP(precision));
            assertThat(ts.toLocalDateTime()).isEqualTo(LocalDateTime.of(0, 1, 1, 0, 0));
        }
        Timestamp micros =
                (Timestamp) stored("\"4713-11-24T12:34:56.789012 BC\"", DataTypes.TIMESTAMP(6));
        assertThat(micros.toLocalDateTime())
                .isEqualTo(LocalDateTime.of(-4712, 11, 24, 12, 34, 56, 789012000));
    }

    @Test
    void infinityIsTheEndOfWhatPaimonHolds() {
        assertThat(stored("\"infinity\"", DataTypes.DATE())).isEqualTo(Integer.MAX_VALUE);
        assertThat(stored("\"-infinity\"", DataTypes.DATE())).isEqualTo(Integer.MIN_VALUE);
        for (int precision : new int[] {0, 3, 6}) {
            Timestamp end = (Timestamp) stored("\"infinity\"", DataTypes.TIMESTAMP(precision));
            Timestamp start = (Timestamp) stored("\"-infinity\"", DataTypes.TIMESTAMP(precision));
            assertThat(end.toMicros()).isEqualTo(CdcValues.INFINITY_MICROS);
            assertThat(start.toMicros()).isEqualTo(-CdcValues.INFINITY_MICROS);
        }
        assertThat(CdcValues.INFINITY_MICROS)
                .isEqualTo(
                        LocalDateTime.of(294247, 1, 10, 4, 0, 54).toEpochSecond(ZoneOffset.UTC)
                                * 1_000_000L);
        assertThat(-CdcValues.INFINITY_MICROS)
                .isEqualTo(
                        LocalDateTime.of(-290308, 12, 21, 19, 59, 6).toEpochSecond(ZoneOffset.UTC)
                                * 1_000_000L);
        Timestamp ltz =
                (Timestamp)
                        stored(
                                "\"infinity\"",
                                DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(6),
                                false,
                                ZoneOffset.UTC);
        assertThat(ltz.toMicros()).isEqualTo(CdcValues.INFINITY_MICROS);
    }

    @Test
    void valuesPaimonCannotTellFromInfinityOrReadAreRefused() {
        assertThatThrownBy(() -> stored("\"294247-01-10T04:00:54\"", DataTypes.TIMESTAMP(6)))
                .hasMessageContaining("cannot store");
        // Paimon reads TIMESTAMP_LTZ (and TIMESTAMP(1|2|4|5)) only as text without an era.
        assertThatThrownBy(
                        () -> stored("\"-infinity\"", DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(6)))
                .hasMessageContaining("without an era");
        assertThatThrownBy(
                        () ->
                                stored(
                                        "\"0044-03-15T10:00:00+00:00 BC\"",
                                        DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(6)))
                .hasMessageContaining("without an era");
        assertThatThrownBy(() -> stored("\"0001-01-01T00:00:00 BC\"", DataTypes.TIMESTAMP(4)))
                .hasMessageContaining("without an era");
        assertThat(
                        ((Timestamp) stored("\"2024-01-02T03:04:05.1234\"", DataTypes.TIMESTAMP(4)))
                                .toLocalDateTime())
                .hasToString("2024-01-02T03:04:05.123400");
    }

    @Test
    void arraysKeepNullsAndMultiDimensionalOnesAreRefused() {
        InternalArray a =
                (InternalArray)
                        stored("[\"a\", null, \"c d\"]", DataTypes.ARRAY(DataTypes.STRING()));
        assertThat(a.size()).isEqualTo(3);
        assertThat(a.isNullAt(1)).isTrue();
        assertThat(a.getString(2).toString()).isEqualTo("c d");
        InternalArray ints =
                (InternalArray) stored("[1, null, 3]", DataTypes.ARRAY(DataTypes.INT()));
        assertThat(ints.getInt(2)).isEqualTo(3);
        assertThatThrownBy(() -> stored("[[1, 2], [3, 4]]", DataTypes.ARRAY(DataTypes.INT())))
                .hasMessageContaining("multi-dimensional");
    }
}
