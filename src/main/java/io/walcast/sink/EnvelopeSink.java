package io.walcast.sink;

import io.walcast.envelope.ChangeEnvelope;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A destination the envelope stream fans out to. Each implementation adds its operators to the
 * graph with a stable, kebab-case uid starting with {@code sink-<name>} (savepoints depend on it)
 * and states its delivery guarantee in its Javadoc.
 */
public interface EnvelopeSink {
    /** The sink's name in the job definition ({@code sinks.<name>}). */
    String name();

    /** Adds this sink's operators after the enriched envelope stream. */
    void attach(DataStream<ChangeEnvelope> envelopes);
}
