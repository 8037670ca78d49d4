package io.walcast.sink.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InFlightLimitTest {
    @Test
    void startsAtTheMaximumSoAnUnthrottledStreamNeverRampsUp() {
        assertThat(new InFlightLimit(4, 2000, 50).limit()).isEqualTo(2000);
    }

    @Test
    void aThrottledRequestHalvesTheLimitDownToTheMinimum() {
        InFlightLimit l = new InFlightLimit(4, 2000, 50);
        l.throttled(1, 1);
        assertThat(l.limit()).isEqualTo(1000);
        for (int r = 2; r < 20; r++) {
            l.throttled(r, r);
        }
        assertThat(l.limit()).isEqualTo(4);
    }

    @Test
    void requestsStartedBeforeACutDoNotCutAgain() {
        InFlightLimit l = new InFlightLimit(4, 2000, 50);
        // requests 1..4 in flight, all throttled: one round trip, one cut
        l.throttled(1, 4);
        l.throttled(2, 4);
        l.throttled(3, 4);
        l.throttled(4, 4);
        assertThat(l.limit()).isEqualTo(1000);
        l.throttled(5, 6);
        assertThat(l.limit()).isEqualTo(500);
    }

    @Test
    void requestsWithoutThrottlingRaiseTheLimitStepByStepUpToTheMaximum() {
        InFlightLimit l = new InFlightLimit(4, 2000, 50);
        l.throttled(1, 1);
        l.succeeded();
        l.succeeded();
        assertThat(l.limit()).isEqualTo(1100);
        for (int i = 0; i < 100; i++) {
            l.succeeded();
        }
        assertThat(l.limit()).isEqualTo(2000);
    }

    @Test
    void rejectsALimitBelowOneRecord() {
        assertThatThrownBy(() -> new InFlightLimit(0, 10, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectedRecordsWaitFromFiftyMillisecondsDoublingToOneSecondJittered() {
        for (int i = 0; i < 200; i++) {
            assertThat(KinesisEnvelopeWriter.recordRetryDelay(0)).isBetween(25L, 50L);
            assertThat(KinesisEnvelopeWriter.recordRetryDelay(2)).isBetween(100L, 200L);
            assertThat(KinesisEnvelopeWriter.recordRetryDelay(5)).isBetween(500L, 1000L);
            assertThat(KinesisEnvelopeWriter.recordRetryDelay(60)).isBetween(500L, 1000L);
        }
    }

    @Test
    void throttlingCodesAreToldApartFromFailures() {
        assertThat(KinesisErrors.throttling("ProvisionedThroughputExceededException")).isTrue();
        assertThat(KinesisErrors.throttling("KMSThrottlingException")).isTrue();
        assertThat(KinesisErrors.throttling("InternalFailure")).isFalse();
        assertThat(KinesisErrors.throttling(null)).isFalse();
    }
}
