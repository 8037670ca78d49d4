package io.walcast.transform;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Maps {@code schema.table} to the values configured for the first matching pattern, resolved once
 * per table and cached: no regex runs per record.
 */
public final class TablePatterns<V> implements Serializable {
    private final List<Pattern> patterns = new ArrayList<>();
    private final List<V> values = new ArrayList<>();
    private final V fallback;
    private transient Map<String, V> resolved;

    public TablePatterns(V fallback) {
        this.fallback = fallback;
    }

    public TablePatterns<V> add(Pattern pattern, V value) {
        patterns.add(pattern);
        values.add(value);
        return this;
    }

    /** A table configured by exact name or pattern ({@code public.users} or {@code public\..*}). */
    public TablePatterns<V> add(String pattern, V value) {
        return add(Pattern.compile(pattern), value);
    }

    public V get(String qualifiedTable) {
        if (resolved == null) {
            resolved = new ConcurrentHashMap<>();
        }
        return resolved.computeIfAbsent(qualifiedTable, this::match);
    }

    private V match(String qualifiedTable) {
        for (int i = 0; i < patterns.size(); i++) {
            if (patterns.get(i).matcher(qualifiedTable).matches()) {
                return values.get(i);
            }
        }
        return fallback;
    }
}
