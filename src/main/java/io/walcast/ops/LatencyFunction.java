package io.walcast.ops;

import io.walcast.envelope.ChangeEnvelope;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Flink adapter in front of each sink that passes envelopes through and records, in the histogram
 * {@code commitToSinkLatencyMs}, the time from the change's commit in Postgres to the moment it is
 * handed to the sink. Snapshot rows have no commit time and are not measured.
 */
public final class LatencyFunction extends RichMapFunction<ChangeEnvelope, ChangeEnvelope> {
    static final int WINDOW = 10_000;

    private transient Histogram latency;

    @Override
    public void open(OpenContext context) {
        latency =
                getRuntimeContext()
                        .getMetricGroup()
                        .histogram(
                                "commitToSinkLatencyMs",
                                new DescriptiveStatisticsHistogram(WINDOW));
    }

    @Override
    public ChangeEnvelope map(ChangeEnvelope e) {
        if (!e.snapshot() && e.timestampMillis() > 0) {
            latency.update(Math.max(0, System.currentTimeMillis() - e.timestampMillis()));
        }
        return e;
    }
}
