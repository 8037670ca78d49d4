package io.walcast.sink.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesUpToTheCapAndResetsOnSuccess() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500));
        assertThat(b.failed()).isEqualTo(100);
        assertThat(b.failed()).isEqualTo(200);
        assertThat(b.failed()).isEqualTo(400);
        assertThat(b.failed()).isEqualTo(500);
        b.succeeded();
        assertThat(b.failed()).isEqualTo(100);
    }

    @Test
    void throttlingIsRetriedButAMissingStreamIsNot() {
        assertThat(KinesisErrors.retryable("ProvisionedThroughputExceededException")).isTrue();
        assertThat(KinesisErrors.retryable("InternalFailure")).isTrue();
        assertThat(KinesisErrors.retryable(null)).isTrue();
        assertThat(KinesisErrors.retryable("ResourceNotFoundException")).isFalse();
        assertThat(KinesisErrors.advice("ResourceNotFoundException"))
                .contains("sinks.kinesis.stream");
    }
}
