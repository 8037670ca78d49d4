package io.walcast.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** Values rendered as Postgres's to_jsonb prints them (ITCases compare with Postgres itself). */
class ValueRendererTest {
    @Test
    void floatsLikeFloat8outAndFloat4out() {
        assertThat(ValueRenderer.floating(0.1, 15)).isEqualTo("0.1");
        assertThat(ValueRenderer.floating(1e20, 15)).isEqualTo("1e+20");
        assertThat(ValueRenderer.floating(1.5e-5, 15)).isEqualTo("1.5e-05");
        assertThat(ValueRenderer.floating(123456789012345.0, 15)).isEqualTo("123456789012345");
        assertThat(ValueRenderer.floating(1234567.0, 6)).isEqualTo("1.234567e+06");
        assertThat(ValueRenderer.floating(Double.NaN, 15)).isEqualTo("\"NaN\"");
        assertThat(ValueRenderer.floating(Double.NEGATIVE_INFINITY, 15)).isEqualTo("\"-Infinity\"");
    }

    @Test
    void numericKeepsEveryDigitAndSpecialValuesAreStrings() {
        String wide = "123456789012345678901234567890123456789012.123456789";
        assertThat(ValueRenderer.numeric(wide)).isEqualTo(wide);
        assertThat(ValueRenderer.numeric("4.50")).isEqualTo("4.50");
        assertThat(ValueRenderer.numeric("NaN")).isEqualTo("\"NaN\"");
        assertThat(ValueRenderer.numeric("-Infinity")).isEqualTo("\"-Infinity\"");
        assertThat(NumericTextConverter.text(new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(NumericTextConverter.text(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
    }

    @Test
    void timesWithoutTrailingZeros() {
        assertThat(ValueRenderer.timestamp(1_704_164_645_123_450L))
                .isEqualTo("2024-01-02T03:04:05.12345");
        assertThat(ValueRenderer.timestamp(0)).isEqualTo("1970-01-01T00:00:00");
        assertThat(ValueRenderer.timestamp(-1)).isEqualTo("1969-12-31T23:59:59.999999");
        assertThat(ValueRenderer.zonedTimestamp("2024-07-01T10:00:00.500Z"))
                .isEqualTo("2024-07-01T10:00:00.5+00:00");
        assertThat(ValueRenderer.time(86_399_999_000L)).isEqualTo("23:59:59.999");
        assertThat(ValueRenderer.time(450)).isEqualTo("00:00:00.00045");
        assertThat(ValueRenderer.zonedTimestamp("2024-07-01T10:00:00.00045Z"))
                .isEqualTo("2024-07-01T10:00:00.00045+00:00");
        assertThat(ValueRenderer.zonedTimestamp("2024-07-01T10:00:00Z"))
                .isEqualTo("2024-07-01T10:00:00+00:00");
    }

    @Test
    void zonedTimestampsAsDebeziumWritesThemMatchPlainTimestamps() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 10_000; i++) {
            long micros = random.nextLong(253_402_300_799_999_999L); // up to 9999-12-31
            if (i % 3 == 0) {
                micros -= micros % 1_000_000; // whole seconds
            }
            java.time.Instant instant =
                    java.time.Instant.EPOCH.plus(micros, java.time.temporal.ChronoUnit.MICROS);
            String debezium =
                    java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                            instant.atOffset(java.time.ZoneOffset.UTC));
            assertThat(ValueRenderer.zonedTimestamp(debezium))
                    .as(debezium)
                    .isEqualTo(ValueRenderer.timestamp(micros) + "+00:00");
        }
    }

    @Test
    void quotingEscapesOnlyWhatJsonNeeds() {
        assertThat(ValueRenderer.quote("plain Bücher €")).isEqualTo("\"plain Bücher €\"");
        assertThat(ValueRenderer.quote("a\"b\\c\n\u0001")).isEqualTo("\"a\\\"b\\\\c\\n\\u0001\"");
    }

    @Test
    void byteaAsHexAndJsonCompacted() {
        assertThat(ValueRenderer.bytea(ByteBuffer.wrap(new byte[] {0, (byte) 0xff, 0x10})))
                .isEqualTo("\\x00ff10");
        assertThat(ValueRenderer.json("{\"a\": [1, 2.50]}")).isEqualTo("{\"a\":[1,2.50]}");
    }

    @Test
    void arraysKeepNulls() {
        Schema ints = SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).build();
        assertThat(ValueRenderer.render(ints, Arrays.asList(1, null, 3))).isEqualTo("[1,null,3]");
        Schema texts = SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).build();
        assertThat(ValueRenderer.render(texts, Arrays.asList("a \"q\"", null)))
                .isEqualTo("[\"a \\\"q\\\"\",null]");
    }

    @Test
    void shortestDigitsLikePostgres() {
        assertThat(ValueRenderer.floating(1.17549435e-38f, 6)).isEqualTo("1.1754944e-38");
        assertThat(ValueRenderer.floating(4.9e-324, 15)).isEqualTo("5e-324");
        assertThat(ValueRenderer.floating(3.4028235e38f, 6)).isEqualTo("3.4028235e+38");
    }

    @Test
    void intervalsInPostgresStyle() {
        assertThat(ValueRenderer.interval("P1Y2M3DT4H5M6.788999999S"))
                .isEqualTo("1 year 2 mons 3 days 04:05:06.789");
        assertThat(ValueRenderer.interval("P0Y0M-1DT0H0M0S")).isEqualTo("-1 days");
        assertThat(ValueRenderer.interval("P0Y0M0DT0H0M0S")).isEqualTo("00:00:00");
        assertThat(ValueRenderer.interval("P0Y0M1DT-4H0M0S")).isEqualTo("1 day -04:00:00");
    }

    @Test
    void moneyBitsAndDates() {
        assertThat(ValueRenderer.money("-0.5")).isEqualTo("-$0.50");
        assertThat(ValueRenderer.money("1234.5")).isEqualTo("$1,234.50");
        assertThat(ValueRenderer.bits(new byte[] {0x05}, java.util.Map.of("length", "3")))
                .isEqualTo("101");
        assertThat(ValueRenderer.bits(new byte[] {0x65}, java.util.Map.of())).isEqualTo("1100101");
        assertThat(ValueRenderer.date(-2147472692)).isEqualTo("infinity");
        assertThat(ValueRenderer.date((int) java.time.LocalDate.parse("-0043-03-15").toEpochDay()))
                .isEqualTo("0044-03-15 BC");
        assertThat(ValueRenderer.timestamp(org.postgresql.PGStatement.DATE_NEGATIVE_INFINITY))
                .isEqualTo("-infinity");
        assertThat(
                        ValueRenderer.timestamp(
                                java.time.LocalDateTime.parse("0000-01-01T00:00:00")
                                                .toEpochSecond(java.time.ZoneOffset.UTC)
                                        * 1_000_000))
                .isEqualTo("0001-01-01T00:00:00 BC");
    }
}
