package io.walcast.sink.kinesis;

import java.time.Duration;

/**
 * Exponential backoff between retries of failed records: doubles per failure, capped, reset on
 * success.
 */
final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private long currentMillis;

    Backoff(Duration initial, Duration max) {
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
    }

    /** The delay before the next attempt after one more failure. */
    long failed() {
        currentMillis = currentMillis == 0 ? initialMillis : Math.min(maxMillis, currentMillis * 2);
        return currentMillis;
    }

    void succeeded() {
        currentMillis = 0;
    }
}
