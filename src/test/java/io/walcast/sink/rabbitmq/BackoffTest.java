package io.walcast.sink.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void delaysDoubleUpToTheMaximum() {
        Backoff b = Backoff.DEFAULT;
        assertThat(b.delay(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(b.delay(2)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.delay(4)).isEqualTo(Duration.ofSeconds(4));
        assertThat(b.delay(6)).isEqualTo(Duration.ofSeconds(10));
        assertThat(b.delay(500)).isEqualTo(Duration.ofSeconds(10));
    }
}
