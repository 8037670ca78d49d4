package io.walcast.transform;

import io.walcast.config.FilterConfig;
import io.walcast.envelope.ChangeEnvelope;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * Flink adapter for {@link ChangeFilter}; counts what it filters out ({@code numFiltered}) and the
 * envelopes it masks columns in ({@code numMasked}).
 */
public final class ChangeFilterFunction
        extends RichFlatMapFunction<ChangeEnvelope, ChangeEnvelope> {
    private final ChangeFilter filter;
    private transient Counter filtered;
    private transient Counter masked;

    public ChangeFilterFunction(FilterConfig config) {
        this.filter = new ChangeFilter(config);
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext context) {
        filtered = getRuntimeContext().getMetricGroup().counter("numFiltered");
        masked = getRuntimeContext().getMetricGroup().counter("numMasked");
    }

    @Override
    public void flatMap(ChangeEnvelope in, Collector<ChangeEnvelope> out) {
        ChangeEnvelope kept = filter.apply(in);
        if (kept == null) {
            filtered.inc();
        } else {
            if (filter.masks(kept.qualifiedTable())) {
                masked.inc();
            }
            out.collect(kept);
        }
    }
}
