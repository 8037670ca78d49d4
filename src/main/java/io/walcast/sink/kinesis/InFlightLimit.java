package io.walcast.sink.kinesis;

/**
 * How many records the writer may have in flight, adapted to what the stream takes (additive
 * increase, multiplicative decrease, as TCP and Flink's async sinks do): each request that comes
 * back without throttling raises the limit by a step, a throttled request halves it, at most once
 * per round trip (requests started before the last cut do not cut again). Between {@code min} and
 * {@code max}; starts at {@code max}, so an unthrottled stream never waits for a ramp.
 */
final class InFlightLimit {
    private final int min;
    private final int max;
    private final int step;
    private int limit;
    private long lastRequestAtCut = Long.MIN_VALUE;

    InFlightLimit(int min, int max, int step) {
        if (min < 1 || max < min || step < 1) {
            throw new IllegalArgumentException(
                    "need 1 <= min <= max and step >= 1, got " + min + ", " + max + ", " + step);
        }
        this.min = min;
        this.max = max;
        this.step = step;
        this.limit = max;
    }

    int limit() {
        return limit;
    }

    /** A request that was not throttled came back. */
    void succeeded() {
        limit = Math.min(max, limit + step);
    }

    /**
     * Request number {@code request} came back throttled while {@code lastRequest} was the newest
     * request started (requests are numbered in the order they start).
     */
    void throttled(long request, long lastRequest) {
        if (request > lastRequestAtCut) {
            limit = Math.max(min, limit / 2);
            lastRequestAtCut = lastRequest;
        }
    }
}
