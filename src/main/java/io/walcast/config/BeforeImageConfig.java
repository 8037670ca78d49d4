package io.walcast.config;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code previous:} — where each table's before-image comes from: the job's keyed state, the WAL's
 * old row, or nowhere. Unset, a {@code REPLICA IDENTITY FULL} table uses the WAL and every other
 * table the state.
 *
 * <pre>
 * previous:
 *   default: state          # state | wal | none
 *   tables:
 *     'public\.audit_.*': none
 * </pre>
 */
public record BeforeImageConfig(Mode defaultMode, Map<String, Mode> tables)
        implements Serializable {

    /** Where {@code previous} comes from. */
    public enum Mode {
        /** The last image of the row kept in the job's keyed state (seeded by the snapshot). */
        STATE,
        /** The old row Postgres writes to the WAL (complete only with REPLICA IDENTITY FULL). */
        WAL,
        /** No before-image at all: cheapest, {@code previous} is always null. */
        NONE
    }

    /** No {@code previous:} section: the automatic choice for every table. */
    public static final BeforeImageConfig AUTO = new BeforeImageConfig(null, Map.of());

    /** The mode of a table: the first matching {@code tables} pattern, else the default. */
    public Mode modeFor(String qualifiedTable, boolean replicaIdentityFull) {
        for (Map.Entry<String, Mode> t : tables.entrySet()) {
            if (Pattern.compile(t.getKey()).matcher(qualifiedTable).matches()) {
                return t.getValue();
            }
        }
        if (defaultMode != null) {
            return defaultMode;
        }
        return replicaIdentityFull ? Mode.WAL : Mode.STATE;
    }

    static BeforeImageConfig read(ConfigNode n) {
        if (!n.isPresent()) {
            return AUTO;
        }
        String d = n.choice("default", null, "state", "wal", "none");
        Map<String, Mode> tables = new LinkedHashMap<>();
        ConfigNode t = n.child("tables");
        for (Map.Entry<String, ConfigNode> e : t.entries().entrySet()) {
            String pattern = e.getKey();
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException ex) {
                t.problem(
                        pattern,
                        "table patterns must be regular expressions over schema.table: "
                                + ex.getDescription(),
                        pattern);
                continue;
            }
            if (t.string(pattern, null) == null) {
                t.problem(pattern, "must be one of state, wal, none", null);
                continue;
            }
            String value = t.choice(pattern, null, "state", "wal", "none");
            if (value != null) {
                tables.put(pattern, mode(value));
            }
        }
        n.rejectUnknownKeys();
        return new BeforeImageConfig(d == null ? null : mode(d), tables);
    }

    private static Mode mode(String value) {
        return Mode.valueOf(value.toUpperCase(Locale.ROOT));
    }
}
