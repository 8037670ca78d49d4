package io.walcast.sink.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.walcast.config.ConfigException;
import io.walcast.config.JobConfig;
import io.walcast.config.KinesisSinkConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KinesisSinkConfigTest {
    static JobConfig parse(String kinesis) {
        return JobConfig.parse(
                String.join(
                        "\n",
                        "name: k",
                        "checkpoint-interval: 1s",
                        "source: {hostname: localhost, database: app, username: u, tables: ['public\\..*']}",
                        "sinks:",
                        "  kinesis: " + kinesis),
                "test",
                Map.of());
    }

    @Test
    void defaultsKeepLatencySubSecondAndUseTheProviderChain() {
        KinesisSinkConfig c = parse("{stream: changes}").sinks().kinesis();
        assertThat(c.stream()).isEqualTo("changes");
        assertThat(c.region()).isEqualTo("us-east-1");
        assertThat(c.bufferTime()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.maxBatchRecords()).isEqualTo(500);
        assertThat(c.maxBatchBytes()).isEqualTo(5 * 1024 * 1024);
        assertThat(c.maxInFlightRequests()).isEqualTo(4);
        assertThat(c.failOnError()).isFalse();
        assertThat(c.deadLetterDir()).isNull();
        assertThat(c.staticCredentials()).isFalse();
        assertThat(KinesisClients.credentials(c).getClass().getSimpleName())
                .isEqualTo("DefaultCredentialsProvider");
    }

    @Test
    void everyKeyIsRead() {
        KinesisSinkConfig c =
                parse(
                                "{stream: 'arn:aws:kinesis:eu-west-1:1:stream/x', region: eu-west-1,"
                                        + " endpoint: 'http://127.0.0.1:1', buffer-time: 50ms,"
                                        + " max-batch-records: 100, max-batch-bytes: 2000000,"
                                        + " max-buffered-records: 2000, max-in-flight-requests: 1,"
                                        + " fail-on-error: true, dead-letter-dir: /tmp/dl,"
                                        + " access-key-id: AKID, secret-access-key: s3cr3t}")
                        .sinks()
                        .kinesis();
        assertThat(c.region()).isEqualTo("eu-west-1");
        assertThat(c.endpoint()).isEqualTo("http://127.0.0.1:1");
        assertThat(c.bufferTime()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.maxBatchRecords()).isEqualTo(100);
        assertThat(c.maxBatchBytes()).isEqualTo(2_000_000);
        assertThat(c.maxBufferedRecords()).isEqualTo(2000);
        assertThat(c.maxInFlightRequests()).isEqualTo(1);
        assertThat(c.failOnError()).isTrue();
        assertThat(c.deadLetterDir()).isEqualTo("/tmp/dl");
        assertThat(c.staticCredentials()).isTrue();
        assertThat(c.toString()).doesNotContain("s3cr3t").doesNotContain("AKID");
    }

    @Test
    void allProblemsAreReportedTogetherAndSecretsAreNotEchoed() {
        assertThatThrownBy(
                        () ->
                                parse(
                                        "{max-batch-records: 501, max-in-flight-requests: 0,"
                                                + " secret-access-key: s3cr3t, shards: 2}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("sinks.kinesis.stream: is required")
                .hasMessageContaining("sinks.kinesis.max-batch-records: must be between 1 and 500")
                .hasMessageContaining("sinks.kinesis.max-in-flight-requests")
                .hasMessageContaining("sinks.kinesis.access-key-id: is required")
                .hasMessageContaining("shards")
                .hasMessageNotContaining("s3cr3t");
    }
}
