package io.walcast.transform;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.RowImage;
import io.walcast.envelope.RowImageSerializer;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Flink adapter for {@link BeforeImages}, keyed by {@code schema.table}: one map state per table
 * holds the last image of each row by primary key, so a primary-key change and a truncate stay
 * within one key. Tables whose {@code previous} mode is not {@code state} pass through untouched.
 */
public final class BeforeImageFunction
        extends KeyedProcessFunction<String, ChangeEnvelope, ChangeEnvelope> {
    private final Set<String> stateTables;
    private final BeforeImages logic = new BeforeImages();
    private transient MapState<String, RowImage> state;
    private transient BeforeImages.Images images;
    private transient Counter previousUnavailable;
    private transient Counter unavailableColumns;

    public BeforeImageFunction(Set<String> stateTables) {
        this.stateTables = Set.copyOf(stateTables);
    }

    /** The key: rows of one table meet in one place, in WAL order. */
    public static String table(ChangeEnvelope e) {
        return e.qualifiedTable();
    }

    @Override
    public void open(OpenContext context) {
        // Degradations are counted, not logged per record: rows not yet seen (startup: latest).
        previousUnavailable =
                getRuntimeContext().getMetricGroup().counter("numPreviousUnavailable");
        unavailableColumns = getRuntimeContext().getMetricGroup().counter("numUnavailableColumns");
        state =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "row-images",
                                        StringSerializer.INSTANCE,
                                        RowImageSerializer.INSTANCE));
        images =
                new BeforeImages.Images() {
                    @Override
                    public RowImage get(String key) throws Exception {
                        return state.get(key);
                    }

                    @Override
                    public void put(String key, RowImage image) throws Exception {
                        state.put(key, image);
                    }

                    @Override
                    public void remove(String key) throws Exception {
                        state.remove(key);
                    }

                    @Override
                    public void clear() {
                        state.clear();
                    }
                };
    }

    @Override
    public void processElement(ChangeEnvelope e, Context ctx, Collector<ChangeEnvelope> out)
            throws Exception {
        if (!stateTables.contains(e.qualifiedTable())) {
            out.collect(e);
            return;
        }
        ChangeEnvelope completed;
        try {
            completed = logic.apply(e, images);
        } catch (RuntimeException ex) {
            throw new IllegalStateException(
                    "cannot complete the before-image of change "
                            + e.id()
                            + " on "
                            + e.qualifiedTable()
                            + ": "
                            + ex.getMessage(),
                    ex);
        }
        if (completed.previousUnavailable()) {
            previousUnavailable.inc();
        }
        if (completed.unavailableColumns() != null) {
            unavailableColumns.inc(completed.unavailableColumns().size());
        }
        out.collect(completed);
    }
}
