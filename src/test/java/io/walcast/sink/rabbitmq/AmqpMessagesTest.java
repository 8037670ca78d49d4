package io.walcast.sink.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Lsn;
import io.walcast.envelope.Operation;
import org.junit.jupiter.api.Test;

class AmqpMessagesTest {
    private static ChangeEnvelope envelope(Long lsn) {
        return ChangeEnvelope.builder()
                .id("00000000016b3748-00000000016b3700-0")
                .operation(Operation.UPDATE)
                .database("postgres")
                .schema("public")
                .table("article_2026_01")
                .resource("article")
                .routingKey("cdc.article.update")
                .timestampMillis(1_700_000_000_123L)
                .lsn(lsn)
                .build();
    }

    @Test
    void messageIsPersistentJsonWithTheEnvelopeIdAndFilterableHeaders() {
        AMQP.BasicProperties p = AmqpMessages.properties(envelope(0x16B3748L));
        assertThat(p.getDeliveryMode()).isEqualTo(2);
        assertThat(p.getContentType()).isEqualTo("application/json");
        assertThat(p.getMessageId()).isEqualTo("00000000016b3748-00000000016b3700-0");
        assertThat(p.getTimestamp().getTime()).isEqualTo(1_700_000_000_123L);
        assertThat(p.getHeaders())
                .containsEntry("resource", "article")
                .containsEntry("operation", "update")
                .containsEntry("table", "article_2026_01")
                .containsEntry("schema", "public")
                .containsEntry("lsn", Lsn.format(0x16B3748L));
        assertThat(Lsn.format(0x16B3748L)).isEqualTo("0/16B3748");
    }

    @Test
    void snapshotRowsHaveNoLsnHeader() {
        assertThat(AmqpMessages.properties(envelope(null)).getHeaders()).doesNotContainKey("lsn");
    }

    @Test
    void deadLetteredMessageKeepsItsPropertiesAndSaysWhy() {
        AMQP.BasicProperties original = AmqpMessages.properties(envelope(1L));
        AMQP.BasicProperties dead =
                AmqpMessages.deadLettered(
                        original, "walcast", "cdc.article.update", "312 NO_ROUTE");
        assertThat(dead.getMessageId()).isEqualTo(original.getMessageId());
        assertThat(dead.getDeliveryMode()).isEqualTo(2);
        assertThat(dead.getHeaders())
                .containsEntry("resource", "article")
                .containsEntry("x-walcast-unroutable", "312 NO_ROUTE")
                .containsEntry("x-walcast-exchange", "walcast")
                .containsEntry("x-walcast-routing-key", "cdc.article.update");
        assertThat(original.getHeaders()).doesNotContainKey("x-walcast-unroutable");
    }
}
