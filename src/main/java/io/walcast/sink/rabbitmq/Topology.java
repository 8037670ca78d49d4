package io.walcast.sink.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.walcast.config.RabbitMqSinkConfig;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Declares (or checks) what the sink publishes to: the exchange, the dead-letter exchange and the
 * optional stream queue bound to the exchange for replay. Declarations are idempotent, so every
 * subtask runs them on start; each uses its own short-lived channel because a failed declaration
 * closes the channel it ran on.
 */
final class Topology {
    private Topology() {}

    static void declare(Connection connection, RabbitMqSinkConfig c) throws IOException {
        exchange(connection, c.exchange(), c.exchangeType(), c.declareExchange(), "exchange");
        if (c.unroutable() == RabbitMqSinkConfig.Unroutable.DEAD_LETTER) {
            exchange(
                    connection,
                    c.deadLetterExchange(),
                    "topic",
                    c.declareExchange(),
                    "dead-letter-exchange");
        }
        if (c.streamQueue() != null && !c.streamQueue().isBlank()) {
            streamQueue(connection, c);
        }
    }

    private static void exchange(
            Connection connection, String name, String type, boolean declare, String key)
            throws IOException {
        try (Channel ch = connection.createChannel()) {
            if (declare) {
                ch.exchangeDeclare(name, type, true);
            } else {
                ch.exchangeDeclarePassive(name);
            }
        } catch (IOException | java.util.concurrent.TimeoutException e) {
            throw new IOException(
                    (declare
                                    ? "cannot declare " + type + " exchange '" + name + "'"
                                    : "exchange '" + name + "' does not exist")
                            + " (sinks.rabbitmq."
                            + key
                            + "): "
                            + reason(e)
                            + (declare
                                    ? "; an exchange of that name with other settings exists:"
                                            + " delete it or use its type"
                                    : "; create it or set sinks.rabbitmq.declare-exchange: true"),
                    e);
        }
    }

    private static void streamQueue(Connection connection, RabbitMqSinkConfig c)
            throws IOException {
        Map<String, Object> args = new HashMap<>();
        args.put("x-queue-type", "stream");
        if (c.streamMaxAge() != null) {
            args.put("x-max-age", c.streamMaxAge());
        }
        try (Channel ch = connection.createChannel()) {
            ch.queueDeclare(c.streamQueue(), true, false, false, args);
            ch.queueBind(c.streamQueue(), c.exchange(), c.streamBindingKey());
        } catch (IOException | java.util.concurrent.TimeoutException e) {
            throw new IOException(
                    "cannot declare stream queue '"
                            + c.streamQueue()
                            + "' bound to '"
                            + c.exchange()
                            + "' with '"
                            + c.streamBindingKey()
                            + "' (sinks.rabbitmq.stream-queue): "
                            + reason(e)
                            + "; a queue of that name that is not a stream already exists, or the"
                            + " broker is older than 3.9",
                    e);
        }
    }

    static String reason(Exception e) {
        Throwable t = e.getCause() != null ? e.getCause() : e;
        return String.valueOf(t.getMessage());
    }
}
