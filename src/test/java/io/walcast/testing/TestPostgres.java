package io.walcast.testing;

import io.walcast.config.JobConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * An embedded Postgres 15 with logical WAL for tests: a real server on a free port, started in
 * about a second. Its time zone differs from UTC on purpose, so zone handling is exercised. It can
 * be shut down ({@code pg_ctl stop -m fast}) and started again on the same port and data directory.
 */
public final class TestPostgres implements AutoCloseable {
    public static final String SERVER_TIME_ZONE = "America/New_York";

    private final Path dataDirectory;
    private volatile EmbeddedPostgres pg;
    private int port;

    private TestPostgres(Path dataDirectory) {
        this.dataDirectory = dataDirectory;
    }

    public static TestPostgres start() {
        try {
            TestPostgres test = new TestPostgres(Files.createTempDirectory("walcast-pg-"));
            test.startServer();
            return test;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Postgres", e);
        }
    }

    /** Starts the server on the data directory (initialized on the first start) and port. */
    private void startServer() throws IOException {
        pg =
                EmbeddedPostgres.builder()
                        .setDataDirectory(dataDirectory)
                        // kept across a restart; close() removes it
                        .setCleanDataDirectory(false)
                        .setPort(port)
                        .setServerConfig("wal_level", "logical")
                        .setServerConfig("max_replication_slots", "20")
                        .setServerConfig("max_wal_senders", "20")
                        .setServerConfig("timezone", SERVER_TIME_ZONE)
                        // Postgres's default, which the embedded server turns off: with it off a
                        // commit reaches the walsender only when the WAL writer flushes (every
                        // wal_writer_delay, 200 ms), which no production server does by default
                        .setServerConfig("synchronous_commit", "on")
                        .start();
        port = pg.getPort();
    }

    /**
     * A fast shutdown ({@code pg_ctl stop -m fast}: sessions, replication connections included, are
     * disconnected; committed work is on disk).
     */
    public void stopFast() throws IOException {
        pg.close();
    }

    /** Starts the server again after {@link #stopFast}, on the same port and data directory. */
    public void startAgain() throws IOException {
        startServer();
    }

    public int port() {
        return port;
    }

    public DataSource dataSource() {
        return pg.getPostgresDatabase();
    }

    public Connection connect() {
        try {
            return pg.getPostgresDatabase().getConnection();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Where the session's next WAL record goes: in an open transaction, before its commit record;
     * just after a commit, the end of that commit record.
     */
    public static long walInsertPosition(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select pg_current_wal_insert_lsn() - '0/0'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public void execute(String... statements) {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Creates a login role that must authenticate with a password over TCP (the embedded server
     * otherwise trusts everyone), with the rights walcast needs.
     */
    public void createPasswordRole(String role, String password) {
        execute(
                "create role " + role + " login replication password '" + password + "'",
                "grant create on database postgres to " + role,
                "grant select on all tables in schema public to " + role);
        String hba = queryOne("show hba_file");
        try {
            java.nio.file.Path path = java.nio.file.Path.of(hba);
            String rules =
                    "host all "
                            + role
                            + " 127.0.0.1/32 scram-sha-256\nhost all "
                            + role
                            + " ::1/128 scram-sha-256\nhost replication "
                            + role
                            + " 127.0.0.1/32 scram-sha-256\n";
            java.nio.file.Files.writeString(path, rules + java.nio.file.Files.readString(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        queryOne("select pg_reload_conf()");
    }

    /** The rows of a query, each as its columns' text. */
    public List<List<String>> query(String sql) {
        return query(sql, false);
    }

    /** Like {@link #query}, with time values as text in UTC, as row images render them. */
    public List<List<String>> queryInUtc(String sql) {
        return query(sql, true);
    }

    private List<List<String>> query(String sql, boolean utc) {
        try (Connection c = connect();
                Statement st = c.createStatement()) {
            if (utc) {
                st.execute("set time zone 'UTC'");
            }
            try (ResultSet rs = st.executeQuery(sql)) {
                List<List<String>> rows = new ArrayList<>();
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>(n);
                    for (int i = 1; i <= n; i++) {
                        row.add(rs.getString(i));
                    }
                    rows.add(row);
                }
                return rows;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** {@code to_jsonb} of the first row of {@code table} matching {@code where}, in UTC. */
    public String toJsonb(String table, String where) {
        List<List<String>> rows =
                queryInUtc(
                        "select to_jsonb(walcast_row)::text from "
                                + table
                                + " walcast_row where "
                                + where);
        return rows.isEmpty() ? null : rows.get(0).get(0);
    }

    /**
     * Whether two JSON texts are equal as Postgres jsonb values (numbers by value, keys unordered).
     */
    public boolean jsonbEquals(String a, String b) {
        return "t"
                .equals(
                        queryOne(
                                "select '"
                                        + a.replace("'", "''")
                                        + "'::jsonb = '"
                                        + b.replace("'", "''")
                                        + "'::jsonb"));
    }

    public String queryOne(String sql) {
        List<List<String>> rows = query(sql);
        return rows.isEmpty() ? null : rows.get(0).get(0);
    }

    /** {@code confirmed_flush_lsn} of a slot, as a number, or -1 when the slot has none yet. */
    public long confirmedFlushLsn(String slot) {
        String lsn =
                queryOne(
                        "select confirmed_flush_lsn - '0/0' from pg_replication_slots where"
                                + " slot_name = '"
                                + slot
                                + "'");
        return lsn == null ? -1 : Long.parseLong(lsn);
    }

    /**
     * A job definition for this database: {@code name}, the captured tables and whatever else the
     * test adds in {@code yaml} (sinks, filters, …), parsed and validated like any other.
     */
    public JobConfig job(String name, String tablesPattern, String yaml) {
        return JobConfig.parse(jobYaml(name, tablesPattern, yaml), name, Map.of());
    }

    /** The text of {@link #job}, for a walcast running in another process. */
    public String jobYaml(String name, String tablesPattern, String yaml) {
        return String.join(
                "\n",
                "name: " + name,
                "checkpoint-interval: 1s",
                "source:",
                "  hostname: localhost",
                "  port: " + port(),
                "  database: postgres",
                "  username: postgres",
                "  tables: ['" + tablesPattern + "']",
                "  heartbeat: 1s",
                "  snapshot-split-size: 100",
                yaml);
    }

    @Override
    public void close() throws IOException {
        pg.close();
        try (Stream<Path> files = Files.walk(dataDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
