package io.walcast.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Random;

/**
 * A {@link KinesisProxy} that misbehaves like Kinesis under load: it refuses a share of the records
 * of each {@code PutRecords}, chosen at random, and can refuse connections like an outage.
 */
public final class FaultInjectingKinesisProxy extends KinesisProxy {
    private final Random random = new Random(7);
    private volatile double rejectShare;

    public FaultInjectingKinesisProxy(String targetEndpoint) throws IOException {
        super(targetEndpoint);
    }

    /** From now on, each record of a PutRecords is rejected with this probability. */
    public void rejectShare(double share) {
        this.rejectShare = share;
    }

    @Override
    protected boolean throttling() {
        return rejectShare > 0;
    }

    @Override
    protected boolean refuses(JsonNode record, long nowNanos) {
        synchronized (random) {
            return random.nextDouble() < rejectShare;
        }
    }
}
