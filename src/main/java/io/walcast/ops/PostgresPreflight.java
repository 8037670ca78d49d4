package io.walcast.ops;

import io.walcast.config.SourceConfig;
import io.walcast.config.StartupMode;
import io.walcast.source.CapturedTable;
import io.walcast.source.CapturedTable.ReplicaIdentity;
import io.walcast.source.CatalogReader;
import io.walcast.source.PostgresConnections;
import io.walcast.source.SourceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks that the source database can feed the job without surprises: logical WAL, a free
 * replication slot and WAL sender, the role's rights, the captured tables, the slot and the
 * publication. Only reads the catalog.
 */
public final class PostgresPreflight {
    private PostgresPreflight() {}

    public static List<Finding> check(SourceConfig source) {
        List<Finding> findings = new ArrayList<>();
        Connection c;
        try {
            c = PostgresConnections.open(source);
        } catch (SourceException e) {
            findings.add(
                    new Finding(
                            "source",
                            e.getMessage(),
                            "fix the connection settings under source: (or the server), then run"
                                    + " walcast validate again"));
            return findings;
        }
        try (c) {
            check(c, source, findings);
        } catch (SQLException e) {
            findings.add(
                    new Finding(
                            "source",
                            "cannot read the Postgres catalog: " + e.getMessage(),
                            "grant the role read access to pg_catalog (it has it by default)"));
        }
        return findings;
    }

    static void check(Connection c, SourceConfig source, List<Finding> findings)
            throws SQLException {
        String role = one(c, "select current_user");
        walLevel(c, findings);
        capacity(c, source, findings);
        replicationRight(c, role, findings);
        List<CapturedTable> tables = CatalogReader.read(c, source);
        tables(c, source, role, tables, findings);
        slot(c, source, findings);
        publication(c, source, tables, findings);
    }

    private static void walLevel(Connection c, List<Finding> findings) throws SQLException {
        String level = one(c, "show wal_level");
        if (!"logical".equals(level)) {
            findings.add(
                    new Finding(
                            "postgres wal_level",
                            "wal_level is '" + level + "': logical decoding is not available",
                            "set wal_level = logical in postgresql.conf (or ALTER SYSTEM SET"
                                    + " wal_level = logical) and restart Postgres"));
        }
    }

    private static void capacity(Connection c, SourceConfig source, List<Finding> findings)
            throws SQLException {
        int maxSlots = Integer.parseInt(one(c, "show max_replication_slots"));
        long otherSlots =
                count(c, "select count(*) from pg_replication_slots where slot_name <> ?", source);
        boolean ownSlotExists =
                count(c, "select count(*) from pg_replication_slots where slot_name = ?", source)
                        > 0;
        if (!ownSlotExists && otherSlots + 1 > maxSlots) {
            findings.add(
                    new Finding(
                            "postgres max_replication_slots",
                            "max_replication_slots is "
                                    + maxSlots
                                    + " and "
                                    + otherSlots
                                    + " slot(s) exist: no room for slot "
                                    + source.slot(),
                            "raise max_replication_slots to at least "
                                    + (otherSlots + 1)
                                    + " in postgresql.conf and restart Postgres, or drop an"
                                    + " unused slot with pg_drop_replication_slot('<name>')"));
        }
        int maxSenders = Integer.parseInt(one(c, "show max_wal_senders"));
        long senders = Long.parseLong(one(c, "select count(*) from pg_stat_replication"));
        if (senders + 1 > maxSenders) {
            findings.add(
                    new Finding(
                            "postgres max_wal_senders",
                            "max_wal_senders is "
                                    + maxSenders
                                    + " and "
                                    + senders
                                    + " WAL sender(s) are running: no room for the job's"
                                    + " replication connection",
                            "raise max_wal_senders to at least "
                                    + (senders + 1)
                                    + " in postgresql.conf and restart Postgres"));
        }
    }

    private static void replicationRight(Connection c, String role, List<Finding> findings)
            throws SQLException {
        String rights =
                one(
                        c,
                        "select (rolsuper or rolreplication)::text from pg_roles where rolname ="
                                + " current_user");
        if (!"true".equals(rights)) {
            findings.add(
                    new Finding(
                            "role " + role,
                            "the role lacks the REPLICATION attribute: it cannot open a"
                                    + " replication connection",
                            "ALTER ROLE " + quoteIdent(role) + " WITH REPLICATION"));
        }
    }

    private static void tables(
            Connection c,
            SourceConfig source,
            String role,
            List<CapturedTable> tables,
            List<Finding> findings)
            throws SQLException {
        for (Pattern p : source.tables()) {
            if (tables.stream().noneMatch(t -> p.matcher(t.qualifiedName()).matches())) {
                findings.add(
                        new Finding(
                                "source.tables",
                                "pattern '"
                                        + p.pattern()
                                        + "' matches no table of database "
                                        + source.database()
                                        + " (tables are schema.table, minus"
                                        + " source.exclude-tables)",
                                "create the table, or fix the pattern (a regular expression over"
                                        + " schema.table, e.g. public\\.orders)"));
            }
        }
        for (CapturedTable t : tables) {
            String name = quoteIdent(t.schema()) + "." + quoteIdent(t.table());
            try (PreparedStatement st =
                    c.prepareStatement("select has_table_privilege(?::regclass, 'SELECT')")) {
                st.setString(1, name);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        findings.add(
                                new Finding(
                                        "table " + t.qualifiedName(),
                                        "role "
                                                + role
                                                + " lacks SELECT on it: the snapshot cannot"
                                                + " read it",
                                        "GRANT SELECT ON " + name + " TO " + quoteIdent(role)));
                    }
                }
            }
            if (source.startup() == StartupMode.INITIAL && !t.hasPrimaryKey()) {
                // Flink CDC's incremental snapshot splits a table into chunks of its key; without
                // one the job would fail, and restart, forever.
                findings.add(
                        new Finding(
                                "table " + t.qualifiedName(),
                                "it has no primary key, and source.startup is initial: the"
                                        + " snapshot reads a table in chunks of its primary key,"
                                        + " so it cannot read this one",
                                "add a primary key, set source.startup: latest (no snapshot:"
                                        + " changes from the job's first start on), or exclude it"
                                        + " with source.exclude-tables"));
            }
            if (!isAscii(t.schema())
                    || !isAscii(t.table())
                    || !t.primaryKey().stream().allMatch(PostgresPreflight::isAscii)) {
                // Debezium 1.9 (in Flink CDC 3.5) decodes pgoutput names byte by byte
                // (FLINK-38110): such a table's streamed changes would be dropped as unknown.
                findings.add(
                        new Finding(
                                "table " + t.qualifiedName(),
                                "its schema, table or primary key column name is not ASCII: the"
                                        + " pgoutput decoder in Flink CDC 3.5 misreads such names,"
                                        + " so its streamed changes would be dropped, not"
                                        + " delivered",
                                "rename it (or the key column) to an ASCII name, or exclude it"
                                        + " with source.exclude-tables; non-ASCII names of other"
                                        + " columns are fine"));
            }
            boolean noOldKey =
                    t.replicaIdentity() == ReplicaIdentity.NOTHING
                            || (t.replicaIdentity() == ReplicaIdentity.DEFAULT
                                    && !t.hasPrimaryKey());
            if (noOldKey) {
                findings.add(
                        new Finding(
                                "table " + t.qualifiedName(),
                                "it has no primary key and no REPLICA IDENTITY FULL: once walcast"
                                        + " publishes it, Postgres rejects every UPDATE and DELETE"
                                        + " on it (walcast would only ever see its inserts)",
                                "ALTER TABLE "
                                        + name
                                        + " REPLICA IDENTITY FULL (or add a primary key), or"
                                        + " exclude it with source.exclude-tables"));
            }
        }
    }

    private static boolean isAscii(String name) {
        return name.chars().allMatch(ch -> ch < 0x80);
    }

    private static void slot(Connection c, SourceConfig source, List<Finding> findings)
            throws SQLException {
        try (PreparedStatement st =
                c.prepareStatement(
                        "select s.plugin, s.database, s.active, s.active_pid, r.application_name,"
                                + " r.client_addr from pg_replication_slots s left join"
                                + " pg_stat_replication r on r.pid = s.active_pid where"
                                + " s.slot_name = ?")) {
            st.setString(1, source.slot());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                String subject = "replication slot " + source.slot();
                String plugin = rs.getString(1);
                String database = rs.getString(2);
                if (!"pgoutput".equals(plugin)) {
                    findings.add(
                            new Finding(
                                    subject,
                                    "the slot exists with plugin '"
                                            + plugin
                                            + "', walcast decodes with pgoutput",
                                    "drop it with SELECT pg_drop_replication_slot('"
                                            + source.slot()
                                            + "') if nothing else uses it, or set source.slot"
                                            + " to another name"));
                }
                if (database != null && !database.equals(source.database())) {
                    findings.add(
                            new Finding(
                                    subject,
                                    "the slot belongs to database '"
                                            + database
                                            + "', the job reads '"
                                            + source.database()
                                            + "'",
                                    "set source.slot to a name no other database uses"));
                }
                if (rs.getBoolean(3)) {
                    String client = rs.getString(5);
                    String addr = rs.getString(6);
                    findings.add(
                            new Finding(
                                    subject,
                                    "the slot is active: another consumer (pid "
                                            + rs.getString(4)
                                            + (client == null || client.isEmpty()
                                                    ? ""
                                                    : ", application '" + client + "'")
                                            + (addr == null ? "" : ", from " + addr)
                                            + ") is streaming from it; a slot serves one"
                                            + " consumer at a time",
                                    "stop the other consumer (or the other walcast job with this"
                                            + " slot), or set source.slot to a name of its own"));
                }
            }
        }
    }

    private static void publication(
            Connection c, SourceConfig source, List<CapturedTable> tables, List<Finding> findings)
            throws SQLException {
        if (source.createPublication()) {
            return; // walcast sets the publication to the captured tables itself
        }
        String subject = "publication " + source.publication();
        Set<String> wanted =
                tables.stream()
                        .map(CapturedTable::qualifiedName)
                        .collect(Collectors.toCollection(TreeSet::new));
        if (count(c, "select count(*) from pg_publication where pubname = ?", source.publication())
                == 0) {
            findings.add(
                    new Finding(
                            subject,
                            "it does not exist and source.create-publication is false",
                            "CREATE PUBLICATION "
                                    + quoteIdent(source.publication())
                                    + " FOR TABLE "
                                    + tableList(tables)
                                    + ", or set source.create-publication: true"));
            return;
        }
        Set<String> published = new TreeSet<>();
        try (PreparedStatement st =
                c.prepareStatement(
                        "select schemaname, tablename from pg_publication_tables where pubname = ?")) {
            st.setString(1, source.publication());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    published.add(rs.getString(1) + "." + rs.getString(2));
                }
            }
        }
        if (!published.equals(wanted)) {
            Set<String> missing = new TreeSet<>(wanted);
            missing.removeAll(published);
            Set<String> extra = new TreeSet<>(published);
            extra.removeAll(wanted);
            findings.add(
                    new Finding(
                            subject,
                            "it publishes "
                                    + published
                                    + " but the job captures "
                                    + wanted
                                    + (missing.isEmpty()
                                            ? ""
                                            : "; changes of " + missing + " would be missed")
                                    + (extra.isEmpty() ? "" : "; " + extra + " are not captured"),
                            "ALTER PUBLICATION "
                                    + quoteIdent(source.publication())
                                    + " SET TABLE "
                                    + tableList(tables)
                                    + ", or set source.create-publication: true to let walcast"
                                    + " keep it in line"));
        }
    }

    private static String tableList(List<CapturedTable> tables) {
        return tables.isEmpty()
                ? "<tables>"
                : tables.stream()
                        .map(t -> quoteIdent(t.schema()) + "." + quoteIdent(t.table()))
                        .collect(Collectors.joining(", "));
    }

    private static long count(Connection c, String sql, SourceConfig source) throws SQLException {
        return count(c, sql, source.slot());
    }

    private static long count(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, parameter);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static String quoteIdent(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
