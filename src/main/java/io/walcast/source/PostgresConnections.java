package io.walcast.source;

import io.walcast.config.SourceConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens JDBC connections to the source database and turns connection failures into advice. */
public final class PostgresConnections {
    private PostgresConnections() {}

    public static Connection open(SourceConfig source) {
        Properties props = new Properties();
        props.setProperty("user", source.username());
        if (!source.password().isEmpty()) {
            props.setProperty("password", source.password().value());
        }
        props.setProperty("connectTimeout", "10");
        props.setProperty("ApplicationName", "walcast");
        try {
            return DriverManager.getConnection(source.jdbcUrl(), props);
        } catch (SQLException e) {
            throw new SourceException(explain(source, e), e);
        }
    }

    /** A message that says what went wrong and what to check; never the password. */
    static String explain(SourceConfig source, SQLException e) {
        String where =
                "cannot connect to Postgres at "
                        + source.hostname()
                        + ":"
                        + source.port()
                        + "/"
                        + source.database()
                        + " as "
                        + source.username()
                        + ": ";
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = String.valueOf(e.getMessage());
        if (state.equals("28P01") || state.equals("28000")) {
            return where
                    + "authentication failed; check source.username and source.password (and"
                    + " pg_hba.conf)";
        }
        if (state.equals("3D000")) {
            return where + "the database does not exist; check source.database";
        }
        if (state.startsWith("08")) {
            return where
                    + "the server is unreachable ("
                    + message
                    + "); check source.hostname and source.port and that Postgres is running";
        }
        return where + message;
    }
}
