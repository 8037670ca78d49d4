package io.walcast.transform;

import io.walcast.config.FilterConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import java.io.Serializable;
import java.util.List;
import java.util.Set;

/**
 * Decides which changes go on and in what form: operation filter, {@code targets}, updates that
 * only touch ignorable columns, then dropped and masked columns ({@link ColumnPolicy}).
 */
public final class ChangeFilter implements Serializable {
    private final Set<Operation> operations;
    private final Set<String> ignorable;
    private final ColumnPolicy columns;

    public ChangeFilter(FilterConfig config) {
        this.operations = Set.copyOf(config.operations());
        this.ignorable = Set.copyOf(config.ignoreUpdatesOnlyTouching());
        this.columns = new ColumnPolicy(config);
    }

    /** The change as it leaves the filter, or {@code null} when it is filtered out. */
    public ChangeEnvelope apply(ChangeEnvelope e) {
        if (!operations.contains(e.operation())) {
            return null;
        }
        List<String> targets = targets(e);
        if (e.operation() == Operation.UPDATE
                && targets != null
                && !ignorable.isEmpty()
                && ignorable.containsAll(targets)) {
            return null;
        }
        return columns.apply(targets == e.targets() ? e : e.toBuilder().targets(targets).build());
    }

    /** Whether envelopes of this table have columns masked (for the {@code numMasked} counter). */
    public boolean masks(String qualifiedTable) {
        return columns.masks(qualifiedTable);
    }

    /** The columns the change touched, when both images are known. */
    static List<String> targets(ChangeEnvelope e) {
        return switch (e.operation()) {
            case INSERT, SNAPSHOT ->
                    e.current() == null ? null : ChangedColumns.nonNull(e.current());
            case UPDATE ->
                    e.previous() == null || e.current() == null
                            ? null
                            : ChangedColumns.between(e.previous(), e.current());
            default -> null;
        };
    }
}
