package io.walcast.source;

import io.walcast.config.SourceConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the job's publication publishing exactly the captured tables: created {@code FOR TABLE}
 * them when missing, and set to them when the captured list changed. With {@code
 * create-publication: false} the operator owns the publication and it is only checked.
 */
public final class Publications {
    private static final Logger LOG = LoggerFactory.getLogger(Publications.class);

    private Publications() {}

    public static void ensure(SourceConfig source, List<CapturedTable> tables) {
        try (Connection c = PostgresConnections.open(source)) {
            ensure(c, source, tables);
        } catch (SQLException e) {
            throw new SourceException(
                    "cannot prepare publication "
                            + source.publication()
                            + ": "
                            + e.getMessage()
                            + "; the role needs CREATE on the database and ownership of the captured"
                            + " tables, or create the publication yourself and set"
                            + " source.create-publication: false",
                    e);
        }
    }

    static void ensure(Connection c, SourceConfig source, List<CapturedTable> tables)
            throws SQLException {
        Set<String> wanted =
                tables.stream()
                        .map(CapturedTable::qualifiedName)
                        .collect(Collectors.toCollection(TreeSet::new));
        Set<String> published = published(c, source.publication());
        if (published != null && published.equals(wanted)) {
            return;
        }
        if (!source.createPublication()) {
            if (published == null) {
                throw new SourceException(
                        "publication "
                                + source.publication()
                                + " does not exist and source.create-publication is false; create it"
                                + " with CREATE PUBLICATION "
                                + source.publication()
                                + " FOR TABLE ... or set source.create-publication: true");
            }
            LOG.warn(
                    "publication {} publishes {} but the job captures {}; changes of tables it does"
                            + " not publish are not captured",
                    source.publication(),
                    published,
                    wanted);
            return;
        }
        String list =
                tables.stream()
                        .map(t -> quoteIdent(t.schema()) + "." + quoteIdent(t.table()))
                        .collect(Collectors.joining(", "));
        try (Statement st = c.createStatement()) {
            if (published == null) {
                st.execute(
                        "create publication "
                                + quoteIdent(source.publication())
                                + " for table "
                                + list);
                LOG.info("created publication {} for {}", source.publication(), wanted);
            } else {
                st.execute(
                        "alter publication "
                                + quoteIdent(source.publication())
                                + " set table "
                                + list);
                LOG.info(
                        "publication {} now publishes {} (was {})",
                        source.publication(),
                        wanted,
                        published);
            }
        }
    }

    /** The tables a publication publishes, or {@code null} when it does not exist. */
    static Set<String> published(Connection c, String publication) throws SQLException {
        try (PreparedStatement st =
                c.prepareStatement("select 1 from pg_publication where pubname = ?")) {
            st.setString(1, publication);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
            }
        }
        Set<String> tables = new TreeSet<>();
        try (PreparedStatement st =
                c.prepareStatement(
                        "select schemaname, tablename from pg_publication_tables where pubname = ?")) {
            st.setString(1, publication);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1) + "." + rs.getString(2));
                }
            }
        }
        return tables;
    }

    static String quoteIdent(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
