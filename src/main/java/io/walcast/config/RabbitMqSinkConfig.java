package io.walcast.config;

import java.io.Serializable;

/** {@code sinks.rabbitmq:} — a topic exchange the envelopes are published to. */
public record RabbitMqSinkConfig(Secret uri, String exchange, boolean declareExchange)
        implements Serializable {
    static RabbitMqSinkConfig read(ConfigNode n) {
        RabbitMqSinkConfig c =
                new RabbitMqSinkConfig(
                        new Secret(n.requiredString("uri")),
                        n.requiredString("exchange"),
                        n.bool("declare-exchange", false));
        n.rejectUnknownKeys();
        return c;
    }
}
