package io.walcast.source;

import io.walcast.config.SourceConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Questions about the job's replication slot that decide whether it may resume. */
public final class ReplicationSlots {
    private ReplicationSlots() {}

    /**
     * Fails when a job resumes from a checkpoint but its slot is gone: a new slot would start at
     * the current WAL position and silently skip every change made since that checkpoint.
     */
    public static void requireForResume(SourceConfig source) {
        try (Connection c = PostgresConnections.open(source);
                PreparedStatement st =
                        c.prepareStatement(
                                "select 1 from pg_replication_slots where slot_name = ?")) {
            st.setString(1, source.slot());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new SourceException(
                            "replication slot "
                                    + source.slot()
                                    + " no longer exists, but the job would resume from a checkpoint"
                                    + " that needs it: the changes made since that checkpoint are no"
                                    + " longer retained, and resuming would skip them. Start over with"
                                    + " --fresh (a new snapshot of the captured tables), and keep the slot"
                                    + " from being dropped while the job is stopped.");
                }
            }
        } catch (SQLException e) {
            throw new SourceException(
                    "cannot check replication slot " + source.slot() + ": " + e.getMessage(), e);
        }
    }
}
