package io.walcast.sink.paimon;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.paimon.types.DataTypes;
import org.junit.jupiter.api.Test;

class PaimonTypesTest {
    @Test
    void integersBooleansAndFloatsKeepTheirWidth() {
        assertThat(PaimonTypes.of("smallint")).isEqualTo(DataTypes.SMALLINT());
        assertThat(PaimonTypes.of("integer")).isEqualTo(DataTypes.INT());
        assertThat(PaimonTypes.of("bigint")).isEqualTo(DataTypes.BIGINT());
        assertThat(PaimonTypes.of("boolean")).isEqualTo(DataTypes.BOOLEAN());
        assertThat(PaimonTypes.of("real")).isEqualTo(DataTypes.FLOAT());
        assertThat(PaimonTypes.of("double precision")).isEqualTo(DataTypes.DOUBLE());
    }

    @Test
    void numericUpTo38DigitsIsDecimalAndBeyondKeepsItsExactText() {
        assertThat(PaimonTypes.of("numeric(12,3)")).isEqualTo(DataTypes.DECIMAL(12, 3));
        assertThat(PaimonTypes.of("numeric(38,0)")).isEqualTo(DataTypes.DECIMAL(38, 0));
        assertThat(PaimonTypes.of("numeric(39,2)")).isEqualTo(DataTypes.STRING());
        assertThat(PaimonTypes.of("numeric")).isEqualTo(DataTypes.STRING());
    }

    @Test
    void timestampsKeepPrecisionAndZoneSemantics() {
        assertThat(PaimonTypes.of("timestamp without time zone")).isEqualTo(DataTypes.TIMESTAMP(6));
        assertThat(PaimonTypes.of("timestamp(3) without time zone"))
                .isEqualTo(DataTypes.TIMESTAMP(3));
        assertThat(PaimonTypes.of("timestamp with time zone"))
                .isEqualTo(DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(6));
        assertThat(PaimonTypes.of("date")).isEqualTo(DataTypes.DATE());
        assertThat(PaimonTypes.of("time without time zone")).isEqualTo(DataTypes.STRING());
    }

    @Test
    void textLikeTypesAreStringsAndJsonKeepsItsText() {
        for (String t :
                new String[] {
                    "text",
                    "character varying(10)",
                    "character(4)",
                    "uuid",
                    "json",
                    "jsonb",
                    "bytea",
                    "interval",
                    "inet",
                    "mood"
                }) {
            assertThat(PaimonTypes.of(t)).as(t).isEqualTo(DataTypes.STRING());
        }
        assertThat(PaimonTypes.keepsJson("jsonb")).isTrue();
        assertThat(PaimonTypes.keepsJson("json")).isTrue();
        assertThat(PaimonTypes.keepsJson("text")).isFalse();
    }

    @Test
    void scalarArraysAreArraysAndOthersKeepJsonText() {
        assertThat(PaimonTypes.of("integer[]")).isEqualTo(DataTypes.ARRAY(DataTypes.INT()));
        assertThat(PaimonTypes.of("text[]")).isEqualTo(DataTypes.ARRAY(DataTypes.STRING()));
        assertThat(PaimonTypes.of("character varying(5)[]"))
                .isEqualTo(DataTypes.ARRAY(DataTypes.STRING()));
        assertThat(PaimonTypes.of("numeric[]")).isEqualTo(DataTypes.STRING());
        assertThat(PaimonTypes.of("jsonb[]")).isEqualTo(DataTypes.STRING());
    }
}
