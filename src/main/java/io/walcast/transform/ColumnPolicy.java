package io.walcast.transform;

import io.walcast.config.FilterConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.RowImage;
import java.io.Serializable;
import java.util.List;
import java.util.Set;

/**
 * Drops and masks configured columns in every row image of an envelope, before anything leaves the
 * job: sinks, dead letters and logs only ever see the masked value. A masked value is the JSON
 * string {@code "****"}; a NULL stays null so consumers can still tell absent from present.
 */
public final class ColumnPolicy implements Serializable {
    public static final String MASK = "\"****\"";

    private final TablePatterns<Set<String>> dropped = new TablePatterns<>(Set.of());
    private final TablePatterns<Set<String>> masked = new TablePatterns<>(Set.of());

    public ColumnPolicy(FilterConfig filters) {
        filters.dropColumns().forEach((t, cols) -> dropped.add(t, Set.copyOf(cols)));
        filters.maskColumns().forEach((t, cols) -> masked.add(t, Set.copyOf(cols)));
    }

    public boolean masks(String qualifiedTable) {
        return !masked.get(qualifiedTable).isEmpty();
    }

    public ChangeEnvelope apply(ChangeEnvelope e) {
        Set<String> drop = dropped.get(e.qualifiedTable());
        Set<String> mask = masked.get(e.qualifiedTable());
        if (drop.isEmpty() && mask.isEmpty()) {
            return e;
        }
        List<String> targets = e.targets();
        if (targets != null && !drop.isEmpty()) {
            targets = targets.stream().filter(c -> !drop.contains(c)).toList();
        }
        return e.toBuilder()
                .key(apply(e.key(), drop, mask))
                .previous(apply(e.previous(), drop, mask))
                .current(apply(e.current(), drop, mask))
                .targets(targets)
                .build();
    }

    private static RowImage apply(RowImage row, Set<String> drop, Set<String> mask) {
        if (row == null) {
            return null;
        }
        return row.without(drop)
                .replacing(mask, (column, json) -> RowImage.NULL.equals(json) ? json : MASK);
    }
}
