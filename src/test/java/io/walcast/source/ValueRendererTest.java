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
}
