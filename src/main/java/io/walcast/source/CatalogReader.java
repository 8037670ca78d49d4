package io.walcast.source;

import io.walcast.config.SourceConfig;
import io.walcast.source.CapturedTable.Column;
import io.walcast.source.CapturedTable.ReplicaIdentity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads which tables of the source database the job captures ({@code source.tables} minus {@code
 * source.exclude-tables}), with their columns, primary keys and replica identities. Partitions are
 * captured as the leaf tables that hold the rows; partitioned parents hold none and are skipped.
 */
public final class CatalogReader {
    private static final String TABLES =
            "select n.nspname, c.relname, c.relreplident, c.oid from pg_class c"
                    + " join pg_namespace n on n.oid = c.relnamespace"
                    + " where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')"
                    + " and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'"
                    + " order by n.nspname, c.relname";
    private static final String COLUMNS =
            "select attname, format_type(atttypid, atttypmod), attnotnull from pg_attribute"
                    + " where attrelid = ? and attnum > 0 and not attisdropped order by attnum";
    private static final String PRIMARY_KEY =
            "select a.attname from pg_index i join pg_attribute a"
                    + " on a.attrelid = i.indrelid and a.attnum = any(i.indkey)"
                    + " where i.indrelid = ? and i.indisprimary"
                    + " order by array_position(i.indkey::int2[], a.attnum)";

    private CatalogReader() {}

    public static List<CapturedTable> read(SourceConfig source) {
        try (Connection c = PostgresConnections.open(source)) {
            return read(c, source);
        } catch (SQLException e) {
            throw new SourceException("cannot read the Postgres catalog: " + e.getMessage(), e);
        }
    }

    public static List<CapturedTable> read(Connection c, SourceConfig source) throws SQLException {
        List<CapturedTable> tables = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(TABLES);
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                String schema = rs.getString(1);
                String table = rs.getString(2);
                if (source.captures(schema + "." + table)) {
                    long oid = rs.getLong(4);
                    tables.add(
                            new CapturedTable(
                                    schema,
                                    table,
                                    columns(c, oid),
                                    primaryKey(c, oid),
                                    ReplicaIdentity.of(rs.getString(3))));
                }
            }
        }
        return tables;
    }

    private static List<Column> columns(Connection c, long oid) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(COLUMNS)) {
            st.setLong(1, oid);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    columns.add(new Column(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
                }
            }
        }
        return columns;
    }

    private static List<String> primaryKey(Connection c, long oid) throws SQLException {
        List<String> key = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement(PRIMARY_KEY)) {
            st.setLong(1, oid);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    key.add(rs.getString(1));
                }
            }
        }
        return key;
    }
}
