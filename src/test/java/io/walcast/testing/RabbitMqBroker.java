package io.walcast.testing;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The real RabbitMQ broker on 127.0.0.1:5672 (guest/guest) that {@code bin/test} makes sure runs:
 * declares test exchanges and queues, reads messages back with the broker's own client, and stops
 * and starts the broker application with {@code rabbitmqctl}.
 */
public final class RabbitMqBroker implements AutoCloseable {
    public static final String URI = "amqp://guest:guest@127.0.0.1:5672";

    /** A message as it sits on a queue. */
    public record Message(String routingKey, AMQP.BasicProperties properties, byte[] body) {
        public String id() {
            return properties.getMessageId();
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public Object header(String name) {
            Map<String, Object> h = properties.getHeaders();
            Object v = h == null ? null : h.get(name);
            return v == null ? null : v.toString();
        }
    }

    private Connection connection;

    public RabbitMqBroker() {
        connection = connect();
    }

    public static ConnectionFactory factory() {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(5672);
        f.setUsername("guest");
        f.setPassword("guest");
        f.setAutomaticRecoveryEnabled(false);
        return f;
    }

    private static Connection connect() {
        try {
            return factory().newConnection("walcast-test");
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException(
                    "no RabbitMQ broker on 127.0.0.1:5672; run the tests with bin/test, which"
                            + " starts one",
                    e);
        }
    }

    private Channel channel() throws IOException {
        if (!connection.isOpen()) {
            connection = connect();
        }
        return connection.createChannel();
    }

    /** Deletes and re-declares a durable topic exchange. */
    public void freshExchange(String name) throws Exception {
        try (Channel ch = channel()) {
            ch.exchangeDelete(name);
            ch.exchangeDeclare(name, BuiltinExchangeType.TOPIC, true);
        }
    }

    /** Deletes and re-declares a durable queue bound to {@code exchange} with {@code binding}. */
    public void freshQueue(String queue, String exchange, String binding, Map<String, Object> args)
            throws Exception {
        try (Channel ch = channel()) {
            ch.queueDelete(queue);
            ch.queueDeclare(queue, true, false, false, args);
            ch.queueBind(queue, exchange, binding);
        }
    }

    public void deleteQueue(String queue) throws Exception {
        try (Channel ch = channel()) {
            ch.queueDelete(queue);
        }
    }

    public void purge(String queue) throws Exception {
        try (Channel ch = channel()) {
            ch.queuePurge(queue);
        }
    }

    /** Waits until something (the sink, on start) has declared {@code queue}. */
    public void awaitQueue(String queue, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                messageCount(queue);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("queue " + queue + " not declared within " + timeout);
                }
                Thread.sleep(200);
            }
        }
    }

    public long messageCount(String queue) throws Exception {
        try (Channel ch = channel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** Takes every message now on {@code queue} (acknowledged). */
    public List<Message> drain(String queue) throws Exception {
        List<Message> taken = new ArrayList<>();
        try (Channel ch = channel()) {
            GetResponse r;
            while ((r = ch.basicGet(queue, true)) != null) {
                taken.add(new Message(r.getEnvelope().getRoutingKey(), r.getProps(), r.getBody()));
            }
        }
        return taken;
    }

    /**
     * Takes messages off {@code queue} (acknowledged) until {@code done} holds for all taken so
     * far, or fails after {@code timeout}.
     */
    public List<Message> take(String queue, Predicate<List<Message>> done, Duration timeout)
            throws Exception {
        return take(queue, done, timeout, true);
    }

    /** Like {@link #take(String, Predicate, Duration)}, returning what it took on timeout. */
    public List<Message> takeUntil(String queue, Predicate<List<Message>> done, Duration timeout)
            throws Exception {
        return take(queue, done, timeout, false);
    }

    private List<Message> take(
            String queue, Predicate<List<Message>> done, Duration timeout, boolean failOnTimeout)
            throws Exception {
        List<Message> taken = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(taken)) {
            if (System.nanoTime() > deadline) {
                if (!failOnTimeout) {
                    return taken;
                }
                throw new AssertionError(
                        "queue "
                                + queue
                                + ": condition not met within "
                                + timeout
                                + "; took "
                                + taken.size()
                                + " messages");
            }
            try (Channel ch = channel()) {
                GetResponse r;
                int n = 0;
                while (n < 10_000 && (r = ch.basicGet(queue, true)) != null) {
                    taken.add(
                            new Message(
                                    r.getEnvelope().getRoutingKey(), r.getProps(), r.getBody()));
                    n++;
                }
                if (n == 0) {
                    Thread.sleep(200);
                }
            } catch (IOException e) {
                // the broker is restarting; try again
                Thread.sleep(500);
            }
        }
        return taken;
    }

    /**
     * Consumes a stream queue from {@code offset} ("first", "last", "next", a number or a {@link
     * java.util.Date}) until {@code done} holds for the messages received.
     */
    public List<Message> consumeStream(
            String queue, Object offset, Predicate<List<Message>> done, Duration timeout)
            throws Exception {
        List<Message> received = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Channel ch = channel()) {
            ch.basicQos(500);
            String tag =
                    ch.basicConsume(
                            queue,
                            false,
                            Map.of("x-stream-offset", offset),
                            (consumerTag, d) -> {
                                received.add(
                                        new Message(
                                                d.getEnvelope().getRoutingKey(),
                                                d.getProperties(),
                                                d.getBody()));
                                ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
                            },
                            consumerTag -> {});
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(List.copyOf(received))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "stream "
                                    + queue
                                    + " from "
                                    + offset
                                    + ": condition not met within "
                                    + timeout
                                    + "; received "
                                    + received.size());
                }
                Thread.sleep(100);
            }
            ch.basicCancel(tag);
        }
        return List.copyOf(received);
    }

    /** {@code rabbitmqctl stop_app}: the broker drops every connection; durable data stays. */
    public static void stopApp() throws Exception {
        rabbitmqctl("stop_app");
    }

    public static void startApp() throws Exception {
        rabbitmqctl("start_app");
        rabbitmqctl("await_startup");
    }

    private static void rabbitmqctl(String command) throws Exception {
        Process p =
                new ProcessBuilder("rabbitmqctl", command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
        if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("rabbitmqctl " + command + " failed");
        }
    }

    @Override
    public void close() throws IOException {
        if (connection.isOpen()) {
            connection.close();
        }
    }
}
