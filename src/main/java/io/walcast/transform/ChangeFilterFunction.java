package io.walcast.transform;

import io.walcast.config.FilterConfig;
import io.walcast.envelope.ChangeEnvelope;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/** Flink adapter for {@link ChangeFilter}; counts what it filters out ({@code numFiltered}). */
public final class ChangeFilterFunction
        extends RichFlatMapFunction<ChangeEnvelope, ChangeEnvelope> {
    private final ChangeFilter filter;
    private transient Counter filtered;

    public ChangeFilterFunction(FilterConfig config) {
        this.filter = new ChangeFilter(config);
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext context) {
        filtered = getRuntimeContext().getMetricGroup().counter("numFiltered");
    }

    @Override
    public void flatMap(ChangeEnvelope in, Collector<ChangeEnvelope> out) {
        ChangeEnvelope kept = filter.apply(in);
        if (kept == null) {
            filtered.inc();
        } else {
            out.collect(kept);
        }
    }
}
