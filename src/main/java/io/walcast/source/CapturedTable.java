package io.walcast.source;

import java.io.Serializable;
import java.util.List;

/**
 * A table the job captures, as the Postgres catalog describes it when the job is built: columns
 * with their Postgres types, primary key, and replica identity (which decides whether the WAL
 * carries the old row).
 */
public record CapturedTable(
        String schema,
        String table,
        List<Column> columns,
        List<String> primaryKey,
        ReplicaIdentity replicaIdentity)
        implements Serializable {

    public String qualifiedName() {
        return schema + "." + table;
    }

    public boolean hasPrimaryKey() {
        return !primaryKey.isEmpty();
    }

    /**
     * A column: name, type as {@code format_type} prints it (e.g. {@code numeric(10,2)}),
     * nullability.
     */
    public record Column(String name, String type, boolean notNull) implements Serializable {}

    /** {@code pg_class.relreplident}: what an update or delete writes of the old row. */
    public enum ReplicaIdentity {
        /** Old values of the primary key only. */
        DEFAULT,
        /** The whole old row. */
        FULL,
        /** Old values of a unique index's columns. */
        INDEX,
        /** Nothing: updates and deletes cannot be replicated. */
        NOTHING;

        static ReplicaIdentity of(String relreplident) {
            return switch (relreplident) {
                case "f" -> FULL;
                case "i" -> INDEX;
                case "n" -> NOTHING;
                default -> DEFAULT;
            };
        }
    }
}
