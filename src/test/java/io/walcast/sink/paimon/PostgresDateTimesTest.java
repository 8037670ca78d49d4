package io.walcast.sink.paimon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/** The date and timestamp texts {@code to_jsonb} writes, read as epoch numbers. */
class PostgresDateTimesTest {
    @Test
    void datesCountBcYearsFromOneBc() {
        assertThat(PostgresDateTimes.epochDay("2024-02-29")).isEqualTo(19782L);
        // Postgres: select date '0044-03-15 BC' - date '1970-01-01' = -735160
        assertThat(PostgresDateTimes.epochDay("0044-03-15 BC")).isEqualTo(-735160L);
        assertThat(PostgresDateTimes.epochDay("0001-12-31 BC"))
                .isEqualTo(LocalDate.of(0, 12, 31).toEpochDay());
        assertThat(PostgresDateTimes.epochDay("5874897-12-31"))
                .isEqualTo(LocalDate.of(5874897, 12, 31).toEpochDay());
        assertThat(PostgresDateTimes.epochDay("infinity")).isNull();
        assertThat(PostgresDateTimes.epochDay("2024-02-30")).isNull();
    }

    @Test
    void timestampsWithAndWithoutOffset() {
        assertThat(PostgresDateTimes.epochMicros("2024-01-02T03:04:05.123456"))
                .isEqualTo(1704164645123456L);
        assertThat(PostgresDateTimes.epochMicros("2024-07-01T12:00:00.5+02"))
                .isEqualTo(
                        ChronoUnit.MICROS.between(
                                OffsetDateTime.parse("1970-01-01T00:00Z"),
                                OffsetDateTime.parse("2024-07-01T10:00:00.5Z")));
        assertThat(PostgresDateTimes.epochMicros("1900-01-01T00:00:00+05:53:28"))
                .isEqualTo(
                        ChronoUnit.MICROS.between(
                                OffsetDateTime.parse("1970-01-01T00:00Z"),
                                OffsetDateTime.parse("1900-01-01T00:00:00+05:53:28")));
        // Postgres: select extract(epoch from timestamp '0001-01-01 00:00:00 BC') = -62167219200
        assertThat(PostgresDateTimes.epochMicros("0001-01-01T00:00:00 BC"))
                .isEqualTo(-62167219200L * 1_000_000L);
        assertThat(PostgresDateTimes.epochMicros("294276-12-31T23:59:59")).isNull();
        assertThat(PostgresDateTimes.epochMicros("infinity")).isNull();
    }
}
