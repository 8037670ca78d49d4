package io.walcast.sink.paimon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void infinityDatesAreRefused() {
        assertThatThrownBy(() -> stored("\"infinity\"", DataTypes.DATE()))
                .hasMessageContaining("cannot store");
        assertThatThrownBy(() -> stored("\"-infinity\"", DataTypes.TIMESTAMP(6)))
                .hasMessageContaining("cannot store");
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
