package io.walcast.sink.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.walcast.config.KinesisSinkConfig;
import io.walcast.config.Secret;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.EnvelopeJson;
import io.walcast.envelope.Operation;
import io.walcast.envelope.RowImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.function.ThrowingRunnable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The oversize path of the writer, which decides before any request: a record over 1 MiB fails with
 * what to do, or is kept as a file and counted. (Requests are tested against the emulator in {@link
 * KinesisSinkITCase}.)
 */
class KinesisEnvelopeWriterTest {
    static KinesisSinkConfig config(String deadLetterDir) {
        return new KinesisSinkConfig(
                "s",
                "us-east-1",
                null,
                Duration.ofMillis(200),
                500,
                5 << 20,
                10_000,
                4,
                false,
                deadLetterDir,
                Secret.NONE,
                Secret.NONE);
    }

    static ChangeEnvelope big() {
        return ChangeEnvelope.builder()
                .id("0/16B3748:0")
                .operation(Operation.INSERT)
                .schema("public")
                .table("docs")
                .lsn(23_803_720L)
                .key(RowImage.of(Map.of("id", "2")))
                .current(
                        RowImage.of(Map.of("id", "2", "body", "\"" + "x".repeat(1_100_000) + "\"")))
                .build();
    }

    static KinesisEnvelopeWriter writer(KinesisSinkConfig c, SinkWriterMetricGroup metrics) {
        return new KinesisEnvelopeWriter(c, null, new NoMail(), new NoTime(), metrics);
    }

    @Test
    void anOversizeRecordFailsWithWhatToDoByDefault() {
        var w = writer(config(null), UnregisteredMetricsGroup.createSinkWriterMetricGroup());
        assertThatThrownBy(() -> w.write(big(), null))
                .isInstanceOf(KinesisSinkException.class)
                .hasMessageContaining("0/16B3748:0")
                .hasMessageContaining("public.docs")
                .hasMessageContaining("1048576")
                .hasMessageContaining("sinks.kinesis.dead-letter-dir");
    }

    @Test
    void anOversizeRecordGoesToTheDeadLetterDirectoryWhenConfigured(@TempDir Path dir)
            throws Exception {
        var w =
                writer(
                        config(dir.toString()),
                        UnregisteredMetricsGroup.createSinkWriterMetricGroup());
        ChangeEnvelope e = big();
        w.write(e, null);
        Path file = dir.resolve("docs").resolve("0_16B3748_0.json");
        assertThat(EnvelopeJson.read(Files.readAllBytes(file))).isEqualTo(e);
        w.flush(false); // nothing waits for Kinesis
    }

    /** Runs nothing: the oversize path never waits for a response. */
    static final class NoMail implements MailboxExecutor {
        @Override
        public void execute(
                MailOptions options,
                ThrowingRunnable<? extends Exception> command,
                String description,
                Object... args) {
            throw new AssertionError("no request expected");
        }

        @Override
        public void yield() {
            throw new AssertionError("no wait expected");
        }

        @Override
        public boolean tryYield() {
            return false;
        }

        @Override
        public boolean shouldInterrupt() {
            return false;
        }
    }

    static final class NoTime implements ProcessingTimeService {
        @Override
        public long getCurrentProcessingTime() {
            return 0;
        }

        @Override
        public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback target) {
            return null;
        }
    }
}
