package io.walcast.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.config.JobConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreflightReportTest {
    static final JobConfig JOB =
            JobConfig.parse(
                    "name: r\ncheckpoint-interval: 1s\nsource: {hostname: h, database: d,"
                            + " username: u}\nsinks: {stdout: {}}",
                    "t",
                    Map.of());

    @Test
    void reportListsEachProblemWithItsFix() {
        String report =
                Preflight.report(
                        JOB,
                        List.of(
                                new Finding("postgres wal_level", "is 'replica'", "set it"),
                                new Finding("table public.t", "no key", "add one")));
        assertThat(report)
                .startsWith("job 'r': preflight found 2 problem(s):")
                .contains("\n  - postgres wal_level: is 'replica'\n    fix: set it")
                .contains("\n  - table public.t: no key\n    fix: add one");
        assertThat(Preflight.report(JOB, List.of())).contains("preflight passed");
    }

    @Test
    void brokerAddressesInMessagesCarryNoCredentials() {
        assertThat(SinkPreflight.withoutCredentials("amqp://user:s3cret@mq.internal:5672/prod"))
                .isEqualTo("amqp://mq.internal:5672/prod");
        assertThat(SinkPreflight.withoutCredentials("amqp://user:s3cret@mq"))
                .doesNotContain("s3cret");
        assertThat(SinkPreflight.withoutCredentials("not a uri :: s3cret"))
                .doesNotContain("s3cret");
    }
}
