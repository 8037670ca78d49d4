package io.walcast.source;

import io.walcast.config.SourceConfig;
import io.walcast.envelope.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Questions about the job's replication slot that decide whether it may resume. */
public final class ReplicationSlots {
    private static final String START_OVER =
            " Start over with --fresh (a new snapshot of the captured tables; on a Flink cluster:"
                    + " submit the job without restoring a checkpoint or savepoint), and never drop"
                    + " the slot of a job that is not retired.";

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

    /**
     * Fails with a {@link SlotLostException} unless the slot still retains every change after
     * {@code position}, the WAL position the source reads on from after a restore. The job's own
     * slot is confirmed only up to positions its checkpoints cover, while a slot created anew
     * starts where the WAL was at its creation, after every change the job read before: a slot that
     * is missing, or confirmed past {@code position} (Postgres resumes no earlier than that), has
     * lost changes.
     *
     * @param c a connection to the source database, kept by the caller between checks
     * @throws SQLException when the slot cannot be read (the caller decides whether to retry)
     */
    static void requireRetained(Connection c, SourceConfig source, long position)
            throws SQLException {
        long confirmed = requirePresent(c, source, position);
        if (confirmed > position) {
            throw new SlotLostException(
                    "replication slot "
                            + source.slot()
                            + " starts at WAL position "
                            + Lsn.format(confirmed)
                            + ", after "
                            + Lsn.format(position)
                            + " where the job must read on: the changes in between are no"
                            + " longer retained (the slot was dropped and created again, or"
                            + " the job was restored from an older checkpoint or savepoint),"
                            + " so the job stops rather than skip them."
                            + START_OVER);
        }
    }

    /**
     * Fails with a {@link SlotLostException} when the slot is gone; returns its {@code
     * confirmed_flush_lsn}. While the job runs, this is all a check may ask: the decoder may
     * confirm ahead of the last checkpoint's position (Flink CDC commits a few checkpoints behind,
     * Postgres moves the slot within a large transaction), which only matters when the job
     * restores, and {@link #requireRetained} checks it then.
     */
    static long requirePresent(Connection c, SourceConfig source, long position)
            throws SQLException {
        try (PreparedStatement st =
                c.prepareStatement(
                        "select (confirmed_flush_lsn - '0/0')::bigint from pg_replication_slots"
                                + " where slot_name = ?")) {
            st.setString(1, source.slot());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new SlotLostException(
                            "replication slot "
                                    + source.slot()
                                    + " no longer exists (dropped while the job was running or"
                                    + " restarting): the changes after WAL position "
                                    + Lsn.format(position)
                                    + ", where the job must read on, are no longer retained, and a"
                                    + " new slot would silently skip them, so the job stops."
                                    + START_OVER);
                }
                return rs.getLong(1);
            }
        }
    }
}
