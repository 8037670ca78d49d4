package io.walcast.transform;

import io.walcast.envelope.RowImage;
import java.util.ArrayList;
import java.util.List;

/** Computes the envelope's {@code targets}: the columns a change touched. */
public final class ChangedColumns {
    private ChangedColumns() {}

    /** Columns whose JSON value differs between the two images, in table order. */
    public static List<String> between(RowImage previous, RowImage current) {
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < current.size(); i++) {
            String column = current.column(i);
            String before = previous.json(column);
            if (before == null || !before.equals(current.json(i))) {
                changed.add(column);
            }
        }
        return changed;
    }

    /** For an inserted (or snapshot) row: every column that is not null. */
    public static List<String> nonNull(RowImage row) {
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < row.size(); i++) {
            if (!row.isNull(i)) {
                columns.add(row.column(i));
            }
        }
        return columns;
    }
}
