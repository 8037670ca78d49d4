package io.walcast.config;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * {@code sinks.rabbitmq:} — the exchange the envelopes are published to, with publisher confirms
 * before every checkpoint (at-least-once), what to do with unroutable messages, and an optional
 * stream queue for replay.
 */
public record RabbitMqSinkConfig(
        Secret uri,
        String exchange,
        boolean declareExchange,
        String exchangeType,
        int maxInFlight,
        Duration confirmTimeout,
        Unroutable unroutable,
        String deadLetterExchange,
        String streamQueue,
        String streamBindingKey,
        String streamMaxAge,
        Duration connectionTimeout,
        int connectAttempts,
        Tls tls)
        implements Serializable {

    /** What happens to a message no queue is bound for. */
    public enum Unroutable {
        /** The job fails, naming the routing key; the message is never covered by a checkpoint. */
        FAIL,
        /** The message is published to {@code dead-letter-exchange} and counted. */
        DEAD_LETTER
    }

    /** {@code tls:} options for {@code amqps://} URIs. */
    public record Tls(String trustStore, Secret trustStorePassword, boolean verifyHostname)
            implements Serializable {}

    public boolean usesTls() {
        return uri.value() != null && uri.value().startsWith("amqps://");
    }

    static RabbitMqSinkConfig read(ConfigNode n) {
        Secret uri = new Secret(n.requiredString("uri"));
        if (!uri.isEmpty()) {
            validateUri(n, uri.value());
        }
        String unroutable = n.choice("unroutable", "fail", "fail", "dead-letter");
        String deadLetterExchange = n.string("dead-letter-exchange", null);
        if (unroutable.equals("dead-letter")
                && (deadLetterExchange == null || deadLetterExchange.isBlank())) {
            n.problem(
                    "dead-letter-exchange",
                    "is required when unroutable is dead-letter; name the exchange unroutable"
                            + " messages go to",
                    null);
        }
        ConfigNode tls = n.child("tls");
        RabbitMqSinkConfig c =
                new RabbitMqSinkConfig(
                        uri,
                        n.requiredString("exchange"),
                        n.bool("declare-exchange", false),
                        n.choice("exchange-type", "topic", "topic", "direct", "fanout", "headers"),
                        n.integer("max-in-flight", 10_000, 1, 1_000_000),
                        n.duration("confirm-timeout", Duration.ofSeconds(60)),
                        unroutable.equals("fail") ? Unroutable.FAIL : Unroutable.DEAD_LETTER,
                        deadLetterExchange,
                        n.string("stream-queue", null),
                        n.string("stream-binding-key", "#"),
                        n.string("stream-max-age", null),
                        n.duration("connection-timeout", Duration.ofSeconds(10)),
                        n.integer("connect-attempts", 6, 1, 1000),
                        new Tls(
                                tls.string("trust-store", null),
                                tls.secret("trust-store-password"),
                                tls.bool("verify-hostname", true)));
        tls.rejectUnknownKeys();
        n.rejectUnknownKeys();
        return c;
    }

    /** The URI carries a password: problems never show its value. */
    private static void validateUri(ConfigNode n, String text) {
        try {
            URI u = new URI(text);
            if (!"amqp".equals(u.getScheme()) && !"amqps".equals(u.getScheme())) {
                n.problem("uri", "must start with amqp:// or amqps://", null);
            } else if (u.getHost() == null) {
                n.problem(
                        "uri",
                        "must name a host, like amqp://user:${PASSWORD}@host:5672/vhost",
                        null);
            } else if ("/".equals(u.getRawPath())) {
                n.problem(
                        "uri",
                        "ends with '/', which names the empty virtual host; drop the '/' for the"
                                + " default virtual host (or write it as %2F)",
                        null);
            }
        } catch (URISyntaxException e) {
            n.problem(
                    "uri",
                    "is not a valid URI (value hidden; percent-encode special characters in the"
                            + " password)",
                    null);
        }
    }
}
