package io.walcast.sink.rabbitmq;

import com.rabbitmq.client.AMQP;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Lsn;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The AMQP properties of an envelope's message: persistent, {@code message_id} = envelope id, JSON
 * content, commit time as timestamp, and headers a consumer can filter on without parsing the body
 * ({@code resource}, {@code operation}, {@code table}, {@code schema}, {@code lsn}).
 */
final class AmqpMessages {
    static final String CONTENT_TYPE = "application/json";
    static final int PERSISTENT = 2;
    static final String REASON_HEADER = "x-walcast-unroutable";

    private AmqpMessages() {}

    static AMQP.BasicProperties properties(ChangeEnvelope e) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("resource", e.resource());
        headers.put("operation", e.operation().wireName());
        headers.put("table", e.table());
        headers.put("schema", e.schema());
        if (e.lsn() != null) {
            headers.put("lsn", Lsn.format(e.lsn()));
        }
        return new AMQP.BasicProperties.Builder()
                .contentType(CONTENT_TYPE)
                .contentEncoding("utf-8")
                .deliveryMode(PERSISTENT)
                .messageId(e.id())
                .timestamp(e.timestampMillis() > 0 ? new java.util.Date(e.timestampMillis()) : null)
                .type(e.operation().wireName())
                .headers(headers)
                .build();
    }

    /**
     * The properties of a returned message re-published to the dead-letter exchange: the same, plus
     * why and where it was first sent.
     */
    static AMQP.BasicProperties deadLettered(
            AMQP.BasicProperties original, String exchange, String routingKey, String reason) {
        Map<String, Object> headers =
                original.getHeaders() == null
                        ? new HashMap<>()
                        : new LinkedHashMap<>(original.getHeaders());
        headers.put(REASON_HEADER, reason);
        headers.put("x-walcast-exchange", exchange);
        headers.put("x-walcast-routing-key", routingKey);
        return original.builder().headers(headers).build();
    }
}
