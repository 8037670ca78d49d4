package io.walcast.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code source:} — the Postgres database, its replication slot and publication, what to capture.
 */
public record SourceConfig(
        String hostname,
        int port,
        String database,
        String username,
        Secret password,
        String slot,
        String publication,
        boolean createPublication,
        List<Pattern> tables,
        List<Pattern> excludeTables,
        StartupMode startup,
        Duration heartbeat,
        int snapshotSplitSize,
        String heartbeatActionQuery,
        Duration slotLagPoll,
        int slotLagAlarmMb)
        implements Serializable {

    public static final int DEFAULT_SNAPSHOT_SPLIT_SIZE = 32768;

    public static final String DEFAULT_HEARTBEAT_ACTION_QUERY =
            "select pg_logical_emit_message(false, 'walcast-heartbeat', '')";

    static SourceConfig read(ConfigNode n, String jobName) {
        String suffix = jobName == null ? "" : jobName.replaceAll("[^a-z0-9_]", "_");
        SourceConfig c =
                new SourceConfig(
                        n.requiredString("hostname"),
                        n.integer("port", 5432, 1, 65535),
                        n.requiredString("database"),
                        n.requiredString("username"),
                        n.secret("password"),
                        n.string("slot", "walcast_" + suffix),
                        n.string("publication", "walcast_" + suffix),
                        n.bool("create-publication", true),
                        n.patterns("tables", List.of("public\\..*")),
                        n.patterns("exclude-tables", List.of()),
                        StartupMode.valueOf(
                                n.choice("startup", "initial", "initial", "latest")
                                        .toUpperCase(java.util.Locale.ROOT)),
                        n.duration("heartbeat", Duration.ofSeconds(10)),
                        n.integer(
                                "snapshot-split-size",
                                DEFAULT_SNAPSHOT_SPLIT_SIZE,
                                1,
                                Integer.MAX_VALUE),
                        // Writes WAL on every heartbeat, so the slot advances while the captured
                        // tables are idle and others are busy; "" turns it off.
                        n.string("heartbeat-action-query", DEFAULT_HEARTBEAT_ACTION_QUERY),
                        n.duration("slot-lag-poll", Duration.ofSeconds(10)),
                        n.integer("slot-lag-alarm-mb", 1024, 1, Integer.MAX_VALUE));
        if (c.slot != null && !c.slot.matches("[a-z0-9_]{1,63}")) {
            n.problem(
                    "slot",
                    "must be 1-63 lowercase letters, digits or underscores (a Postgres slot name)",
                    c.slot);
        }
        if (c.tables.isEmpty()) {
            n.problem("tables", "must list at least one pattern over schema.table", null);
        }
        n.rejectUnknownKeys();
        return c;
    }

    /** Whether {@code schema.table} is captured by this job. */
    public boolean captures(String qualifiedTable) {
        return tables.stream().anyMatch(p -> p.matcher(qualifiedTable).matches())
                && excludeTables.stream().noneMatch(p -> p.matcher(qualifiedTable).matches());
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + hostname + ":" + port + "/" + database;
    }
}
