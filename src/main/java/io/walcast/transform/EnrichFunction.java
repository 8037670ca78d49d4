package io.walcast.transform;

import io.walcast.config.JobConfig;
import io.walcast.envelope.ChangeEnvelope;
import org.apache.flink.api.common.functions.MapFunction;

/** Flink adapter for {@link Enricher}. */
public final class EnrichFunction implements MapFunction<ChangeEnvelope, ChangeEnvelope> {
    private final Enricher enricher;

    public EnrichFunction(JobConfig job) {
        this.enricher = new Enricher(job);
    }

    @Override
    public ChangeEnvelope map(ChangeEnvelope envelope) {
        return enricher.apply(envelope);
    }
}
