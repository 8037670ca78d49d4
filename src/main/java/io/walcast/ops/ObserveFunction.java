package io.walcast.ops;

import io.walcast.config.SourceConfig;
import io.walcast.envelope.ChangeEnvelope;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * Flink adapter that passes envelopes through unchanged and measures them: {@code numEvents} per
 * {@code resource} and {@code operation} group, and (on subtask 0 only, one poller per job) the
 * slot-lag gauges of {@link SlotLagMonitor}: {@code currentSlotLagBytes}, {@code
 * currentSlotLagAlarm}.
 */
public final class ObserveFunction extends RichMapFunction<ChangeEnvelope, ChangeEnvelope> {
    private final SourceConfig source;
    private transient Map<String, Counter> events;
    private transient SlotLagMonitor slotLag;

    public ObserveFunction(SourceConfig source) {
        this.source = source;
    }

    @Override
    public void open(OpenContext context) {
        events = new HashMap<>();
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            slotLag = new SlotLagMonitor(source).start();
            MetricGroup group = getRuntimeContext().getMetricGroup();
            group.gauge("currentSlotLagBytes", (Gauge<Long>) slotLag::lagBytes);
            group.gauge("currentSlotLagAlarm", (Gauge<Integer>) slotLag::alarm);
        }
    }

    @Override
    public ChangeEnvelope map(ChangeEnvelope e) {
        String operation = e.operation().wireName();
        events.computeIfAbsent(
                        e.resource() + '\u0000' + operation,
                        k ->
                                getRuntimeContext()
                                        .getMetricGroup()
                                        .addGroup("resource", e.resource())
                                        .addGroup("operation", operation)
                                        .counter("numEvents"))
                .inc();
        return e;
    }

    @Override
    public void close() {
        if (slotLag != null) {
            slotLag.close();
        }
    }
}
