package io.walcast.sink.rabbitmq;

import io.walcast.config.RabbitMqSinkConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.sink.EnvelopeSink;
import io.walcast.sink.EnvelopeWriterSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Publishes each envelope to a RabbitMQ exchange: body = the envelope JSON, routing key = its
 * {@code routing_key} ({@code cdc.<resource>.<operation>} by default), persistent, {@code
 * message_id} = envelope id. At-least-once: every message published before a checkpoint barrier is
 * confirmed by the broker before that checkpoint completes; a nack, an unroutable message (unless
 * {@code unroutable: dead-letter}), a confirm timeout or a lost connection fails the checkpoint and
 * the job restarts from the last one. Duplicates after a restart carry the same {@code message_id}.
 */
public final class RabbitMqSink implements EnvelopeSink {
    private final RabbitMqSinkConfig config;

    public RabbitMqSink(RabbitMqSinkConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "rabbitmq";
    }

    @Override
    public void attach(DataStream<ChangeEnvelope> envelopes) {
        envelopes.sinkTo(new ConfirmingSink(config)).name("sink-rabbitmq").uid("sink-rabbitmq");
    }

    /** The Sink V2 adapter: one connection and one confirming channel per subtask. */
    static final class ConfirmingSink implements EnvelopeWriterSink {
        private final RabbitMqSinkConfig config;

        ConfirmingSink(RabbitMqSinkConfig config) {
            this.config = config;
        }

        @Override
        public SinkWriter<ChangeEnvelope> createWriter(WriterInitContext context)
                throws IOException {
            var metrics = context.metricGroup();
            try {
                return new ConfirmingWriter(
                        config,
                        "walcast "
                                + context.getJobInfo().getJobName()
                                + " sink "
                                + context.getTaskInfo().getIndexOfThisSubtask(),
                        metrics.getNumRecordsSendCounter(),
                        metrics.counter("numDeadLettered"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted while connecting", e));
            }
        }
    }
}
