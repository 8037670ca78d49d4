package io.walcast.envelope;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One row change: the product's contract (see README "The change envelope"). Immutable; built with
 * {@link #builder()} and changed by copying with {@link #toBuilder()}. Inside Flink it travels with
 * {@link ChangeEnvelopeSerializer}; outside, as the JSON from {@link EnvelopeJson}, computed once
 * per envelope and shared by every sink.
 */
@TypeInfo(ChangeEnvelopeTypeInfoFactory.class)
public final class ChangeEnvelope {
    /** Additive changes keep the version; a rename or a removal bumps it. */
    public static final int SCHEMA_VERSION = 1;

    private final String id;
    private final Operation operation;
    private final String resource;
    private final String database;
    private final String schema;
    private final String table;
    private final String routingKey;
    private final long timestampMillis;
    private final Long xid;
    private final Long lsn;
    private final Long commitLsn;
    private final boolean snapshot;
    private final RowImage key;
    private final RowImage previous;
    private final RowImage current;
    private final List<String> targets;
    private final Map<String, String> metadata;
    private final boolean previousUnavailable;
    private final List<String> unavailableColumns;

    private transient byte[] json;
    private transient String qualifiedTable;

    private ChangeEnvelope(Builder b) {
        this.id = Objects.requireNonNull(b.id, "id");
        this.operation = Objects.requireNonNull(b.operation, "operation");
        this.database = b.database;
        this.schema = b.schema;
        this.table = b.table;
        this.resource = b.resource != null ? b.resource : b.table;
        this.routingKey = b.routingKey;
        this.timestampMillis = b.timestampMillis;
        this.xid = b.xid;
        this.lsn = b.lsn;
        this.commitLsn = b.commitLsn;
        this.snapshot = b.snapshot;
        this.key = b.key;
        this.previous = b.previous;
        this.current = b.current;
        this.targets = b.targets == null ? null : List.copyOf(b.targets);
        this.metadata = b.metadata == null ? Map.of() : b.metadata;
        this.previousUnavailable = b.previousUnavailable;
        this.unavailableColumns =
                b.unavailableColumns == null || b.unavailableColumns.isEmpty()
                        ? null
                        : List.copyOf(b.unavailableColumns);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.operation = operation;
        b.resource = resource;
        b.database = database;
        b.schema = schema;
        b.table = table;
        b.routingKey = routingKey;
        b.timestampMillis = timestampMillis;
        b.xid = xid;
        b.lsn = lsn;
        b.commitLsn = commitLsn;
        b.snapshot = snapshot;
        b.key = key;
        b.previous = previous;
        b.current = current;
        b.targets = targets;
        b.metadata = metadata;
        b.previousUnavailable = previousUnavailable;
        b.unavailableColumns = unavailableColumns;
        return b;
    }

    public String id() {
        return id;
    }

    public int schemaVersion() {
        return SCHEMA_VERSION;
    }

    public Operation operation() {
        return operation;
    }

    public String resource() {
        return resource;
    }

    public String database() {
        return database;
    }

    public String schema() {
        return schema;
    }

    public String table() {
        return table;
    }

    /** {@code schema.table}, the name filters and patterns match against. */
    /** {@code schema.table}; keying, filtering and before-images ask for it several times each. */
    public String qualifiedTable() {
        String name = qualifiedTable;
        if (name == null) {
            name = schema + "." + table;
            qualifiedTable = name;
        }
        return name;
    }

    public String routingKey() {
        return routingKey;
    }

    /** Commit time of the transaction (read time for snapshot rows), epoch milliseconds. */
    public long timestampMillis() {
        return timestampMillis;
    }

    public Long xid() {
        return xid;
    }

    public Long lsn() {
        return lsn;
    }

    public Long commitLsn() {
        return commitLsn;
    }

    public boolean snapshot() {
        return snapshot;
    }

    public RowImage key() {
        return key;
    }

    public RowImage previous() {
        return previous;
    }

    public RowImage current() {
        return current;
    }

    public List<String> targets() {
        return targets;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * True when the change had a row before it (update, delete) but neither the WAL nor the job's
     * state holds it: {@code previous} is then {@code null} rather than invented (rows not seen
     * since a {@code startup: latest} start, or {@code previous: none}).
     */
    public boolean previousUnavailable() {
        return previousUnavailable;
    }

    /**
     * Columns left out of {@code current} because the WAL did not carry their value (an unchanged
     * TOAST value) and the job's state did not hold the row; {@code null} when none.
     */
    public List<String> unavailableColumns() {
        return unavailableColumns;
    }

    /** The envelope's JSON, rendered on first use and then shared by every sink. */
    public byte[] json() {
        byte[] bytes = json;
        if (bytes == null) {
            bytes = EnvelopeJson.write(this);
            json = bytes;
        }
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChangeEnvelope e
                && id.equals(e.id)
                && operation == e.operation
                && Objects.equals(resource, e.resource)
                && Objects.equals(database, e.database)
                && Objects.equals(schema, e.schema)
                && Objects.equals(table, e.table)
                && Objects.equals(routingKey, e.routingKey)
                && timestampMillis == e.timestampMillis
                && Objects.equals(xid, e.xid)
                && Objects.equals(lsn, e.lsn)
                && Objects.equals(commitLsn, e.commitLsn)
                && snapshot == e.snapshot
                && Objects.equals(key, e.key)
                && Objects.equals(previous, e.previous)
                && Objects.equals(current, e.current)
                && Objects.equals(targets, e.targets)
                && metadata.equals(e.metadata)
                && previousUnavailable == e.previousUnavailable
                && Objects.equals(unavailableColumns, e.unavailableColumns);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return new String(json(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Collects the fields of an envelope; {@link #build()} checks the required ones. */
    public static final class Builder {
        private String id;
        private Operation operation;
        private String resource;
        private String database;
        private String schema;
        private String table;
        private String routingKey;
        private long timestampMillis;
        private Long xid;
        private Long lsn;
        private Long commitLsn;
        private boolean snapshot;
        private RowImage key;
        private RowImage previous;
        private RowImage current;
        private List<String> targets;
        private Map<String, String> metadata;
        private boolean previousUnavailable;
        private List<String> unavailableColumns;

        private Builder() {}

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder operation(Operation operation) {
            this.operation = operation;
            return this;
        }

        public Builder resource(String resource) {
            this.resource = resource;
            return this;
        }

        public Builder database(String database) {
            this.database = database;
            return this;
        }

        public Builder schema(String schema) {
            this.schema = schema;
            return this;
        }

        public Builder table(String table) {
            this.table = table;
            return this;
        }

        public Builder routingKey(String routingKey) {
            this.routingKey = routingKey;
            return this;
        }

        public Builder timestampMillis(long timestampMillis) {
            this.timestampMillis = timestampMillis;
            return this;
        }

        public Builder xid(Long xid) {
            this.xid = xid;
            return this;
        }

        public Builder lsn(Long lsn) {
            this.lsn = lsn;
            return this;
        }

        public Builder commitLsn(Long commitLsn) {
            this.commitLsn = commitLsn;
            return this;
        }

        public Builder snapshot(boolean snapshot) {
            this.snapshot = snapshot;
            return this;
        }

        public Builder key(RowImage key) {
            this.key = key;
            return this;
        }

        public Builder previous(RowImage previous) {
            this.previous = previous;
            return this;
        }

        public Builder current(RowImage current) {
            this.current = current;
            return this;
        }

        public Builder targets(List<String> targets) {
            this.targets = targets;
            return this;
        }

        /** Static enrichment; the map must not change afterwards. */
        public Builder metadata(Map<String, String> metadata) {
            this.metadata = metadata;
            return this;
        }

        public Builder previousUnavailable(boolean previousUnavailable) {
            this.previousUnavailable = previousUnavailable;
            return this;
        }

        public Builder unavailableColumns(List<String> unavailableColumns) {
            this.unavailableColumns = unavailableColumns;
            return this;
        }

        public ChangeEnvelope build() {
            return new ChangeEnvelope(this);
        }
    }
}
