package io.walcast.sink.rabbitmq;

import java.time.Duration;

/** Exponential delays between connection attempts: 500 ms doubling up to 10 s. */
record Backoff(Duration initial, Duration max) {
    static final Backoff DEFAULT = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10));

    /** The delay after failed attempt {@code attempt} (1-based). */
    Duration delay(int attempt) {
        long millis = initial.toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }
}
