package io.walcast.sink.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.walcast.config.ConfigException;
import io.walcast.config.JobConfig;
import io.walcast.config.RabbitMqSinkConfig;
import io.walcast.config.RabbitMqSinkConfig.Unroutable;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RabbitMqSinkConfigTest {
    private static RabbitMqSinkConfig parse(String rabbitmq, Map<String, String> env) {
        String yaml =
                String.join(
                        "\n",
                        "name: t",
                        "checkpoint-interval: 1s",
                        "source:",
                        "  hostname: localhost",
                        "  database: postgres",
                        "  username: postgres",
                        "  tables: ['public\\..*']",
                        "sinks:",
                        "  rabbitmq:",
                        rabbitmq.indent(4));
        return JobConfig.parse(yaml, "test.yaml", env).sinks().rabbitmq();
    }

    @Test
    void defaultsAreATopicExchangeFailingOnUnroutableWithABoundedWindow() {
        RabbitMqSinkConfig c =
                parse(
                        "uri: amqp://guest:${RABBIT_PASSWORD}@127.0.0.1:5672\nexchange: walcast",
                        Map.of("RABBIT_PASSWORD", "s3cret"));
        assertThat(c.uri().value()).isEqualTo("amqp://guest:s3cret@127.0.0.1:5672");
        assertThat(c.uri().toString()).isEqualTo("****");
        assertThat(c.toString()).doesNotContain("s3cret");
        assertThat(c.exchangeType()).isEqualTo("topic");
        assertThat(c.declareExchange()).isFalse();
        assertThat(c.unroutable()).isEqualTo(Unroutable.FAIL);
        assertThat(c.maxInFlight()).isEqualTo(10_000);
        assertThat(c.confirmTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.streamQueue()).isNull();
        assertThat(c.streamBindingKey()).isEqualTo("#");
        assertThat(c.tls().verifyHostname()).isTrue();
        assertThat(c.usesTls()).isFalse();
    }

    @Test
    void everyOptionIsRead() {
        RabbitMqSinkConfig c =
                parse(
                        String.join(
                                "\n",
                                "uri: amqps://u:p@broker:5671/prod",
                                "exchange: cdc",
                                "exchange-type: direct",
                                "declare-exchange: true",
                                "max-in-flight: 500",
                                "confirm-timeout: 5s",
                                "unroutable: dead-letter",
                                "dead-letter-exchange: cdc.unroutable",
                                "stream-queue: cdc.replay",
                                "stream-binding-key: cdc.article.*",
                                "stream-max-age: 7D",
                                "connection-timeout: 3s",
                                "connect-attempts: 2",
                                "tls: {trust-store: /etc/ca.p12, trust-store-password: x,"
                                        + " verify-hostname: false}"),
                        Map.of());
        assertThat(c.usesTls()).isTrue();
        assertThat(c.exchangeType()).isEqualTo("direct");
        assertThat(c.maxInFlight()).isEqualTo(500);
        assertThat(c.confirmTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.unroutable()).isEqualTo(Unroutable.DEAD_LETTER);
        assertThat(c.deadLetterExchange()).isEqualTo("cdc.unroutable");
        assertThat(c.streamQueue()).isEqualTo("cdc.replay");
        assertThat(c.streamBindingKey()).isEqualTo("cdc.article.*");
        assertThat(c.streamMaxAge()).isEqualTo("7D");
        assertThat(c.connectAttempts()).isEqualTo(2);
        assertThat(c.tls().trustStore()).isEqualTo("/etc/ca.p12");
        assertThat(c.tls().verifyHostname()).isFalse();
    }

    @Test
    void everyProblemIsReportedWithoutShowingTheUri() {
        assertThatThrownBy(
                        () ->
                                parse(
                                        String.join(
                                                "\n",
                                                "uri: http://guest:hunter2@host/",
                                                "exchange-type: sideways",
                                                "unroutable: dead-letter",
                                                "max-in-flight: 0",
                                                "tls: {trust: x}",
                                                "colour: blue"),
                                        Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("sinks.rabbitmq.uri: must start with amqp:// or amqps://")
                .hasMessageContaining("sinks.rabbitmq.exchange: is required")
                .hasMessageContaining(
                        "sinks.rabbitmq.exchange-type: must be one of topic, direct, fanout,"
                                + " headers")
                .hasMessageContaining(
                        "sinks.rabbitmq.dead-letter-exchange: is required when unroutable is"
                                + " dead-letter")
                .hasMessageContaining("sinks.rabbitmq.max-in-flight: must be between 1")
                .hasMessageContaining("sinks.rabbitmq.tls.trust: unknown key")
                .hasMessageContaining("sinks.rabbitmq.colour: unknown key")
                .message()
                .doesNotContain("hunter2");
    }

    @Test
    void aTrailingSlashIsTheEmptyVirtualHostAndRejected() {
        assertThatThrownBy(() -> parse("uri: amqp://u:p@host:5672/\nexchange: x", Map.of()))
                .hasMessageContaining("names the empty virtual host")
                .message()
                .doesNotContain("hunter2");
    }

    @Test
    void anUnsetPasswordVariableSaysWhatToDo() {
        assertThatThrownBy(
                        () ->
                                parse(
                                        "uri: amqp://guest:${RABBIT_PASSWORD}@h\nexchange: x",
                                        Map.of()))
                .hasMessageContaining("environment variable RABBIT_PASSWORD is not set");
    }

    @Test
    void amqpsWithTheJvmTrustStoreBuildsAVerifyingFactory() {
        RabbitMqSinkConfig c = parse("uri: amqps://u:p@broker.example:5671\nexchange: x", Map.of());
        var f = RabbitMqConnections.factory(c);
        assertThat(f.isSSL()).isTrue();
        assertThat(f.getPort()).isEqualTo(5671);
        assertThat(f.getHost()).isEqualTo("broker.example");
    }
}
