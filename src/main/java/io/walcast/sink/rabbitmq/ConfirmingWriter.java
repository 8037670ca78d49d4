package io.walcast.sink.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import io.walcast.config.RabbitMqSinkConfig;
import io.walcast.config.RabbitMqSinkConfig.Unroutable;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.sink.rabbitmq.OutstandingConfirms.Pending;
import java.io.IOException;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes envelopes on one confirming channel and, in {@link #flush}, which Flink runs before
 * every checkpoint barrier, waits until the broker confirmed every one of them. A nack, an
 * unroutable message (unless dead-lettered), a timeout or a lost connection throws there, so the
 * checkpoint never covers a message the broker did not take and the job restarts from the last one:
 * at-least-once.
 */
final class ConfirmingWriter implements SinkWriter<ChangeEnvelope> {
    private static final Logger LOG = LoggerFactory.getLogger(ConfirmingWriter.class);

    private final RabbitMqSinkConfig config;
    private final Counter sent;
    private final Counter deadLettered;
    private final OutstandingConfirms<Return> confirms;
    private final Connection connection;
    private final Channel channel;
    private volatile boolean closing;

    ConfirmingWriter(
            RabbitMqSinkConfig config, String connectionName, Counter sent, Counter deadLettered)
            throws IOException, InterruptedException {
        this.config = config;
        this.sent = sent;
        this.deadLettered = deadLettered;
        this.confirms = new OutstandingConfirms<>(config.maxInFlight());
        this.connection =
                RabbitMqConnections.connect(
                        RabbitMqConnections.factory(config), config, connectionName);
        try {
            Topology.declare(connection, config);
            channel = connection.createChannel();
            channel.confirmSelect();
            channel.addConfirmListener(confirms::acked, confirms::nacked);
            channel.addReturnListener(confirms::returned);
            channel.addShutdownListener(this::onShutdown);
        } catch (IOException | RuntimeException e) {
            connection.abort();
            throw e;
        }
        LOG.info(
                "Publishing to RabbitMQ exchange '{}' with confirms (window {}, unroutable: {})",
                config.exchange(),
                config.maxInFlight(),
                config.unroutable());
    }

    private void onShutdown(ShutdownSignalException cause) {
        if (!closing) {
            confirms.lost(String.valueOf(cause.getMessage()));
        }
    }

    @Override
    public void write(ChangeEnvelope envelope, Context context)
            throws IOException, InterruptedException {
        handleReturned();
        publish(
                config.exchange(),
                envelope.routingKey(),
                envelope.id(),
                AmqpMessages.properties(envelope),
                envelope.json());
    }

    private void publish(
            String exchange,
            String routingKey,
            String id,
            AMQP.BasicProperties properties,
            byte[] body)
            throws IOException, InterruptedException {
        long tag = channel.getNextPublishSeqNo();
        confirms.register(tag, new Pending(id, exchange, routingKey), config.confirmTimeout());
        try {
            channel.basicPublish(exchange, routingKey, true, properties, body);
        } catch (IOException | ShutdownSignalException e) {
            confirms.lost(String.valueOf(e.getMessage()));
            confirms.throwIfFailed();
        }
        sent.inc();
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        // dead-lettering publishes again, and those messages need their confirms too
        do {
            confirms.awaitAll(config.confirmTimeout());
        } while (handleReturned());
    }

    /** Fails on, or dead-letters, the messages the broker returned; true when it published any. */
    private boolean handleReturned() throws IOException, InterruptedException {
        confirms.throwIfFailed();
        boolean published = false;
        for (Return r : confirms.drainReturned()) {
            String reason = r.getReplyCode() + " " + r.getReplyText();
            if (config.unroutable() == Unroutable.FAIL
                    || r.getExchange().equals(config.deadLetterExchange())) {
                throw confirms.fail(
                        new DeliveryException(
                                "RabbitMQ could not route message "
                                        + r.getProperties().getMessageId()
                                        + " with routing key '"
                                        + r.getRoutingKey()
                                        + "' on exchange '"
                                        + r.getExchange()
                                        + "' ("
                                        + reason
                                        + "): no queue is bound for it. Bind a queue whose"
                                        + " binding key matches it (e.g. 'cdc.#'), or set"
                                        + " sinks.rabbitmq.unroutable: dead-letter with a"
                                        + " dead-letter-exchange that has a queue bound. The"
                                        + " checkpoint does not complete, so the message is"
                                        + " published again after the restart."));
            }
            LOG.debug(
                    "Dead-lettering unroutable message {} ({})",
                    r.getProperties().getMessageId(),
                    r.getRoutingKey());
            publish(
                    config.deadLetterExchange(),
                    r.getRoutingKey(),
                    r.getProperties().getMessageId(),
                    AmqpMessages.deadLettered(
                            r.getProperties(), r.getExchange(), r.getRoutingKey(), reason),
                    r.getBody());
            deadLettered.inc();
            published = true;
        }
        return published;
    }

    /** Closes without throwing and without leaving the connection's threads behind. */
    @Override
    public void close() {
        closing = true;
        try {
            if (channel != null && channel.isOpen()) {
                channel.close();
            }
        } catch (Exception e) {
            LOG.debug("Closing the RabbitMQ channel failed", e);
        } finally {
            // abort never throws and always stops the connection's threads, also after errors
            connection.abort(5_000);
        }
    }
}
