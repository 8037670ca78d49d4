package io.walcast.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.walcast.testing.RabbitMqBroker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * What the broker takes from a bare client on this machine, so the RabbitMQ drain can be read
 * against it: messages shaped like walcast's (persistent, mandatory, the same properties and
 * headers, envelope-sized bodies) on two connections as the job's two sink subtasks, each with
 * publisher confirms and 10,000 in flight, into a durable queue bound with '#'.
 */
final class RabbitMqCeiling {
    static final String EXCHANGE = "bench-ceiling";
    private static final int CONNECTIONS = 2;
    private static final int WINDOW = 10_000;
    private static final int BODY_BYTES = 500;

    private RabbitMqCeiling() {}

    /** Messages per second confirmed by the broker. */
    static double measure(RabbitMqBroker broker, int messages) throws Exception {
        broker.freshExchange(EXCHANGE);
        broker.freshQueue(EXCHANGE, EXCHANGE, "#", Map.of());
        byte[] body = new byte[BODY_BYTES];
        Arrays.fill(body, (byte) 'x');
        List<Thread> publishers = new ArrayList<>();
        List<Exception> failures = new ArrayList<>();
        long start = System.nanoTime();
        for (int p = 0; p < CONNECTIONS; p++) {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    publish(messages / CONNECTIONS, body);
                                } catch (Exception e) {
                                    synchronized (failures) {
                                        failures.add(e);
                                    }
                                }
                            },
                            "rabbitmq-ceiling-" + p);
            t.start();
            publishers.add(t);
        }
        for (Thread t : publishers) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        broker.deleteQueue(EXCHANGE);
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return messages / CONNECTIONS * CONNECTIONS / seconds;
    }

    private static void publish(int messages, byte[] body) throws Exception {
        try (Connection c = RabbitMqBroker.factory().newConnection("bench-ceiling")) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            Semaphore window = new Semaphore(WINDOW);
            ConcurrentSkipListSet<Long> unconfirmed = new ConcurrentSkipListSet<>();
            ch.addConfirmListener(
                    (tag, multiple) -> {
                        if (multiple) {
                            var done = unconfirmed.headSet(tag, true);
                            int n = done.size();
                            done.clear();
                            window.release(n);
                        } else if (unconfirmed.remove(tag)) {
                            window.release();
                        }
                    },
                    (tag, multiple) -> {
                        throw new IllegalStateException("the broker refused message " + tag);
                    });
            for (int i = 0; i < messages; i++) {
                window.acquire();
                unconfirmed.add(ch.getNextPublishSeqNo());
                ch.basicPublish(EXCHANGE, "cdc.bench.insert", true, properties(i), body);
            }
            if (!window.tryAcquire(WINDOW, 10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the broker did not confirm within 10 minutes");
            }
        }
    }

    /** The properties walcast's sink sets (see AmqpMessages). */
    private static AMQP.BasicProperties properties(int i) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("resource", "bench_one_txn");
        headers.put("operation", "insert");
        headers.put("table", "bench_one_txn");
        headers.put("schema", "public");
        headers.put("lsn", "0/1A2B3C4D");
        return new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .contentEncoding("utf-8")
                .deliveryMode(2)
                .messageId(String.format("%016X-%d", 0x1A2B3C4DL + i, 0))
                .timestamp(new Date())
                .type("insert")
                .headers(headers)
                .build();
    }
}
