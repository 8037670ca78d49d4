package io.walcast.config;

import java.io.Serializable;
import java.time.Duration;

/**
 * {@code sinks.kinesis:} — a Kinesis data stream the envelopes are put on. Credentials come from
 * the standard AWS provider chain unless {@code access-key-id}/{@code secret-access-key} are set.
 */
public record KinesisSinkConfig(
        String stream,
        String region,
        String endpoint,
        Duration bufferTime,
        int maxBatchRecords,
        int maxBatchBytes,
        int maxBufferedRecords,
        int maxInFlightRequests,
        boolean failOnError,
        String deadLetterDir,
        Secret accessKeyId,
        Secret secretAccessKey)
        implements Serializable {
    /** PutRecords accepts at most 500 records and 5 MiB per request (Kinesis service limits). */
    public static final int PUT_RECORDS_MAX_RECORDS = 500;

    public static final int PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;

    static KinesisSinkConfig read(ConfigNode n) {
        KinesisSinkConfig c =
                new KinesisSinkConfig(
                        n.requiredString("stream"),
                        n.string("region", "us-east-1"),
                        n.string("endpoint", null),
                        n.duration("buffer-time", Duration.ofMillis(200)),
                        n.integer("max-batch-records", 500, 1, PUT_RECORDS_MAX_RECORDS),
                        n.integer(
                                "max-batch-bytes",
                                PUT_RECORDS_MAX_BYTES,
                                1024 * 1024,
                                PUT_RECORDS_MAX_BYTES),
                        n.integer("max-buffered-records", 10_000, 1, 1_000_000),
                        n.integer("max-in-flight-requests", 4, 1, 100),
                        n.bool("fail-on-error", false),
                        n.string("dead-letter-dir", null),
                        n.secret("access-key-id"),
                        n.secret("secret-access-key"));
        if (c.accessKeyId.isEmpty() != c.secretAccessKey.isEmpty()) {
            n.problem(
                    c.accessKeyId.isEmpty() ? "access-key-id" : "secret-access-key",
                    "is required when static keys are used (set both access-key-id and"
                            + " secret-access-key, or neither to use the AWS provider chain)",
                    null);
        }
        n.rejectUnknownKeys();
        return c;
    }

    /** Static keys were given explicitly; otherwise the default AWS provider chain applies. */
    public boolean staticCredentials() {
        return !accessKeyId.isEmpty();
    }
}
