package io.walcast.config;

import java.io.Serializable;
import java.time.Duration;

/** {@code sinks.kinesis:} — a Kinesis data stream the envelopes are put on. */
public record KinesisSinkConfig(String stream, String region, String endpoint, Duration bufferTime)
        implements Serializable {
    static KinesisSinkConfig read(ConfigNode n) {
        KinesisSinkConfig c =
                new KinesisSinkConfig(
                        n.requiredString("stream"),
                        n.string("region", "us-east-1"),
                        n.string("endpoint", null),
                        n.duration("buffer-time", Duration.ofMillis(200)));
        n.rejectUnknownKeys();
        return c;
    }
}
