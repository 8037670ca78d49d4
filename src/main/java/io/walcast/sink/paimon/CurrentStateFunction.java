package io.walcast.sink.paimon;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.paimon.flink.sink.cdc.RichCdcRecord;

/**
 * Feeds one current-state table, keyed by resource: converts each change with {@link
 * CurrentStateRecords} and keeps the live primary keys (with the Postgres table each came from) in
 * checkpointed state, so that a truncate becomes a delete of exactly the rows that table had. State
 * and the Paimon commit move together on each checkpoint, so a restart replays neither twice.
 */
public final class CurrentStateFunction
        extends KeyedProcessFunction<String, ChangeEnvelope, RichCdcRecord> {
    private final TableLayout layout;
    private transient CurrentStateRecords records;
    private transient MapState<String, String> liveKeys;

    public CurrentStateFunction(TableLayout layout) {
        this.layout = layout;
    }

    @Override
    public void open(Configuration parameters) {
        records = new CurrentStateRecords(layout, ZoneId.systemDefault());
        liveKeys =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>("live-keys", Types.STRING, Types.STRING));
    }

    @Override
    public void processElement(ChangeEnvelope e, Context ctx, Collector<RichCdcRecord> out)
            throws Exception {
        if (e.operation() == Operation.TRUNCATE) {
            List<String> gone = new ArrayList<>();
            for (Map.Entry<String, String> live : liveKeys.entries()) {
                if (live.getValue().equals(e.qualifiedTable())) {
                    gone.add(live.getKey());
                }
            }
            for (String key : gone) {
                out.collect(records.delete(key, e));
                liveKeys.remove(key);
            }
            return;
        }
        for (RichCdcRecord r : records.records(e)) {
            out.collect(r);
        }
        switch (e.operation()) {
            case INSERT, SNAPSHOT -> liveKeys.put(records.keyOf(e.current()), e.qualifiedTable());
            case UPDATE -> {
                if (e.previous() != null) {
                    String old = records.keyOf(e.previous());
                    if (old != null) {
                        liveKeys.remove(old);
                    }
                }
                liveKeys.put(records.keyOf(e.current()), e.qualifiedTable());
            }
            case DELETE ->
                    liveKeys.remove(records.keyOf(e.previous() != null ? e.previous() : e.key()));
            default -> {}
        }
    }
}
