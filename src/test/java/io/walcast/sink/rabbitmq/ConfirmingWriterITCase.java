package io.walcast.sink.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.walcast.config.RabbitMqSinkConfig;
import io.walcast.config.RabbitMqSinkConfig.Tls;
import io.walcast.config.RabbitMqSinkConfig.Unroutable;
import io.walcast.config.Secret;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import io.walcast.envelope.RowImage;
import io.walcast.testing.RabbitMqBroker;
import io.walcast.testing.RabbitMqBroker.Message;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The confirming writer on its own against the real broker: dead-lettering with its counter, nacks
 * failing the flush, channel errors, clean close and connection retries.
 */
class ConfirmingWriterITCase {
    static RabbitMqBroker broker;

    @BeforeAll
    static void connect() {
        broker = new RabbitMqBroker();
    }

    @AfterAll
    static void disconnect() throws Exception {
        broker.close();
    }

    static RabbitMqSinkConfig config(
            String uri, String exchange, Unroutable unroutable, String deadLetterExchange) {
        return new RabbitMqSinkConfig(
                new Secret(uri),
                exchange,
                true,
                "topic",
                100,
                Duration.ofSeconds(30),
                unroutable,
                deadLetterExchange,
                null,
                "#",
                null,
                Duration.ofSeconds(5),
                2,
                new Tls(null, Secret.NONE, true));
    }

    static ChangeEnvelope envelope(int n, String resource) {
        return ChangeEnvelope.builder()
                .id(String.format("%016x-%016x-0", n, n))
                .operation(Operation.INSERT)
                .database("postgres")
                .schema("public")
                .table(resource)
                .resource(resource)
                .routingKey("cdc." + resource + ".insert")
                .timestampMillis(1_700_000_000_000L)
                .lsn((long) n)
                .key(RowImage.of(Map.of("id", String.valueOf(n))))
                .current(RowImage.of(Map.of("id", String.valueOf(n))))
                .build();
    }

    static ConfirmingWriter writer(RabbitMqSinkConfig c, SimpleCounter sent, SimpleCounter dead)
            throws Exception {
        return new ConfirmingWriter(c, "walcast-test-writer", sent, dead);
    }

    @Test
    void unroutableMessagesGoToTheDeadLetterExchangeAndAreCounted() throws Exception {
        broker.freshExchange("it-writer-main");
        broker.freshExchange("it-writer-dead");
        broker.freshQueue("it.writer.routed", "it-writer-main", "cdc.routed.*", null);
        broker.freshQueue("it.writer.dead", "it-writer-dead", "#", null);
        SimpleCounter sent = new SimpleCounter();
        SimpleCounter dead = new SimpleCounter();
        ConfirmingWriter w =
                writer(
                        config(
                                RabbitMqBroker.URI,
                                "it-writer-main",
                                Unroutable.DEAD_LETTER,
                                "it-writer-dead"),
                        sent,
                        dead);
        try {
            w.write(envelope(1, "routed"), null);
            w.write(envelope(2, "orphan"), null);
            w.write(envelope(3, "routed"), null);
            w.flush(false);
        } finally {
            w.close();
        }
        assertThat(dead.getCount()).isEqualTo(1);
        assertThat(sent.getCount()).isEqualTo(4);
        List<Message> routed =
                broker.take("it.writer.routed", l -> l.size() >= 2, Duration.ofSeconds(30));
        assertThat(routed).extracting(Message::routingKey).containsOnly("cdc.routed.insert");
        List<Message> deadLettered =
                broker.take("it.writer.dead", l -> l.size() >= 1, Duration.ofSeconds(30));
        assertThat(deadLettered).hasSize(1);
        Message m = deadLettered.get(0);
        assertThat(m.routingKey()).isEqualTo("cdc.orphan.insert");
        assertThat(m.id()).isEqualTo(envelope(2, "orphan").id());
        assertThat(m.header("x-walcast-unroutable")).isEqualTo("312 NO_ROUTE");
        assertThat(m.header("x-walcast-exchange")).isEqualTo("it-writer-main");
        assertThat(m.body()).isEqualTo(envelope(2, "orphan").json());
    }

    @Test
    void unroutableMessageFailsTheFlushNamingTheRoutingKey() throws Exception {
        broker.freshExchange("it-writer-fail");
        broker.freshQueue("it.writer.fail", "it-writer-fail", "cdc.routed.*", null);
        ConfirmingWriter w =
                writer(
                        config(RabbitMqBroker.URI, "it-writer-fail", Unroutable.FAIL, null),
                        new SimpleCounter(),
                        new SimpleCounter());
        try {
            w.write(envelope(1, "routed"), null);
            w.write(envelope(2, "orphan"), null);
            assertThatThrownBy(() -> w.flush(false))
                    .isInstanceOf(DeliveryException.class)
                    .hasMessageContaining("could not route message " + envelope(2, "x").id())
                    .hasMessageContaining("routing key 'cdc.orphan.insert'")
                    .hasMessageContaining("312 NO_ROUTE");
            assertThatThrownBy(() -> w.write(envelope(3, "routed"), null))
                    .isInstanceOf(DeliveryException.class);
        } finally {
            w.close();
        }
    }

    @Test
    void nackFromAFullQueueFailsTheFlush() throws Exception {
        broker.freshExchange("it-writer-nack");
        broker.freshQueue(
                "it.writer.nack",
                "it-writer-nack",
                "#",
                Map.of("x-max-length", 2, "x-overflow", "reject-publish"));
        ConfirmingWriter w =
                writer(
                        config(RabbitMqBroker.URI, "it-writer-nack", Unroutable.FAIL, null),
                        new SimpleCounter(),
                        new SimpleCounter());
        try {
            w.write(envelope(1, "a"), null);
            w.write(envelope(2, "a"), null);
            w.flush(false);
            w.write(envelope(3, "a"), null);
            assertThatThrownBy(() -> w.flush(false))
                    .isInstanceOf(DeliveryException.class)
                    .hasMessageContaining("rejected (nack)")
                    .hasMessageContaining(envelope(3, "a").id());
        } finally {
            w.close();
        }
        assertThat(broker.messageCount("it.writer.nack")).isEqualTo(2);
    }

    @Test
    void closeAfterAChannelErrorLeavesNoConnectionThread() throws Exception {
        broker.freshExchange("it-writer-gone");
        broker.freshQueue("it.writer.gone", "it-writer-gone", "#", null);
        long before = amqpThreads();
        ConfirmingWriter w =
                writer(
                        config(RabbitMqBroker.URI, "it-writer-gone", Unroutable.FAIL, null),
                        new SimpleCounter(),
                        new SimpleCounter());
        w.write(envelope(1, "a"), null);
        w.flush(false);
        assertThat(amqpThreads()).isGreaterThan(before);
        // the exchange disappears under the writer: the broker closes the channel with 404
        try (var c = RabbitMqBroker.factory().newConnection();
                var ch = c.createChannel()) {
            ch.exchangeDelete("it-writer-gone");
        }
        assertThatThrownBy(
                        () -> {
                            for (int i = 2; i < 100; i++) {
                                w.write(envelope(i, "a"), null);
                            }
                            w.flush(false);
                        })
                .isInstanceOf(DeliveryException.class)
                .hasMessageContaining("connection lost")
                .hasMessageContaining("NOT_FOUND");
        w.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (amqpThreads() > before && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(amqpThreads()).isEqualTo(before);
    }

    @Test
    void unreachableBrokerIsRetriedThenReportedWithoutThePassword() {
        RabbitMqSinkConfig c =
                config("amqp://guest:sup3rsecret@127.0.0.1:1", "x", Unroutable.FAIL, null);
        long started = System.nanoTime();
        assertThatThrownBy(() -> writer(c, new SimpleCounter(), new SimpleCounter()))
                .hasMessageContaining("cannot connect to RabbitMQ at 127.0.0.1:1")
                .hasMessageContaining("after 2 attempts")
                .message()
                .doesNotContain("sup3rsecret");
        // one backoff delay (500 ms) between the two attempts
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isGreaterThan(Duration.ofMillis(400));
    }

    @Test
    void missingExchangeWithoutDeclareSaysWhatToDo() throws Exception {
        RabbitMqSinkConfig declared =
                config(RabbitMqBroker.URI, "it-writer-missing", Unroutable.FAIL, null);
        RabbitMqSinkConfig c =
                new RabbitMqSinkConfig(
                        declared.uri(),
                        "it-writer-missing-" + System.nanoTime(),
                        false,
                        "topic",
                        10,
                        Duration.ofSeconds(5),
                        Unroutable.FAIL,
                        null,
                        null,
                        "#",
                        null,
                        Duration.ofSeconds(5),
                        1,
                        declared.tls());
        long before = amqpThreads();
        assertThatThrownBy(() -> writer(c, new SimpleCounter(), new SimpleCounter()))
                .hasMessageContaining("does not exist")
                .hasMessageContaining("declare-exchange: true");
        Thread.sleep(500);
        assertThat(amqpThreads()).isEqualTo(before);
    }

    private static long amqpThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("AMQP Connection"))
                .count();
    }
}
