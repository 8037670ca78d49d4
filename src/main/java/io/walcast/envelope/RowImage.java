package io.walcast.envelope;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * An immutable row: column names in table order, each with its value as a JSON literal rendered the
 * way Postgres's {@code to_jsonb} renders it ({@code 42}, {@code "text"}, {@code null}, nested
 * JSON). Keeping the literal text keeps precision and lets every sink write it unchanged.
 */
public final class RowImage {
    public static final String NULL = "null";

    /**
     * Marks a value the WAL did not carry (an unchanged TOAST value). Not JSON on purpose: it only
     * lives between the source and the before-image step, which replaces or removes it; no sink
     * ever receives it.
     */
    public static final String UNAVAILABLE = "\u0000unavailable";

    private final String[] columns;
    private final String[] values;

    private RowImage(String[] columns, String[] values) {
        this.columns = columns;
        this.values = values;
    }

    /** A row from parallel arrays of names and JSON literals; the arrays are not copied. */
    public static RowImage of(String[] columns, String[] values) {
        if (columns.length != values.length) {
            throw new IllegalArgumentException(
                    columns.length + " columns but " + values.length + " values");
        }
        return new RowImage(columns, values);
    }

    public static RowImage of(Map<String, String> jsonByColumn) {
        return new RowImage(
                jsonByColumn.keySet().toArray(String[]::new),
                jsonByColumn.values().toArray(String[]::new));
    }

    public int size() {
        return columns.length;
    }

    public String column(int i) {
        return columns[i];
    }

    /** The JSON literal at position {@code i}. */
    public String json(int i) {
        return values[i];
    }

    /**
     * The JSON literal of a column, or {@code null} (Java null) when the row has no such column.
     */
    public String json(String column) {
        int i = indexOf(column);
        return i < 0 ? null : values[i];
    }

    public boolean has(String column) {
        return indexOf(column) >= 0;
    }

    public boolean isNull(int i) {
        return NULL.equals(values[i]);
    }

    /** Whether the value at {@code i} is {@link #UNAVAILABLE}. */
    public boolean isUnavailable(int i) {
        return UNAVAILABLE.equals(values[i]);
    }

    /** The columns whose value is {@link #UNAVAILABLE}, in table order. */
    public List<String> unavailableColumns() {
        List<String> missing = new ArrayList<>(0);
        for (int i = 0; i < columns.length; i++) {
            if (isUnavailable(i)) {
                missing.add(columns[i]);
            }
        }
        return missing;
    }

    public int indexOf(String column) {
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].equals(column)) {
                return i;
            }
        }
        return -1;
    }

    public List<String> columns() {
        return List.of(columns);
    }

    /** A copy without the given columns (this row itself when none of them is present). */
    public RowImage without(Collection<String> dropped) {
        if (dropped.isEmpty() || dropped.stream().noneMatch(this::has)) {
            return this;
        }
        List<String> names = new ArrayList<>(columns.length);
        List<String> jsons = new ArrayList<>(columns.length);
        for (int i = 0; i < columns.length; i++) {
            if (!dropped.contains(columns[i])) {
                names.add(columns[i]);
                jsons.add(values[i]);
            }
        }
        return new RowImage(names.toArray(String[]::new), jsons.toArray(String[]::new));
    }

    /** A copy whose values are replaced by {@code f(column, json)} for the given columns. */
    public RowImage replacing(Collection<String> replaced, BiFunction<String, String, String> f) {
        String[] copy = null;
        for (int i = 0; i < columns.length; i++) {
            if (replaced.contains(columns[i])) {
                if (copy == null) {
                    copy = values.clone();
                }
                copy[i] = f.apply(columns[i], values[i]);
            }
        }
        return copy == null ? this : new RowImage(columns, copy);
    }

    public Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < columns.length; i++) {
            map.put(columns[i], values[i]);
        }
        return map;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowImage other
                && Arrays.equals(columns, other.columns)
                && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(columns), Arrays.hashCode(values));
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
