package io.walcast.source;

import io.walcast.config.SourceConfig;
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
     * Fails with a {@link SlotLostException} when a job about to resume from a checkpoint finds its
     * slot gone: a new slot would start at the current WAL position and silently skip every change
     * made since that checkpoint.
     */
    public static void requireForResume(SourceConfig source) {
        try (Connection c = PostgresConnections.open(source)) {
            requirePresent(c, source, "the job would resume from a checkpoint that needs it");
        } catch (SQLException e) {
            throw new SourceException(
                    "cannot check replication slot " + source.slot() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Fails with a {@link SlotLostException} when the slot is gone; {@code need} says what the job
     * was about to do with it.
     *
     * <p>Whether the slot exists is all a check can judge. A slot ahead of the position the job
     * reads on from has not necessarily lost anything: besides the positions walcast confirms
     * (those of completed checkpoints), the Postgres JDBC driver confirms the server's position
     * from keepalive messages whenever it has received nothing unconfirmed — during a long
     * transaction not yet sent, on an idle stream. Postgres still sends every transaction that
     * commits after that position, so nothing is skipped; but the slot then sits ahead of any
     * checkpoint, exactly like a slot dropped and created again. Only the WAL in between could tell
     * the two apart, so the slot is judged where nothing can have created it again: before Flink
     * CDC (whose enumerator and decoder create a missing slot) gets to it.
     *
     * @param c a connection to the source database, kept by the caller between checks
     * @throws SQLException when the slot cannot be read (the caller decides whether to retry)
     */
    static void requirePresent(Connection c, SourceConfig source, String need) throws SQLException {
        try (PreparedStatement st =
                c.prepareStatement("select 1 from pg_replication_slots where slot_name = ?")) {
            st.setString(1, source.slot());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new SlotLostException(
                            "replication slot "
                                    + source.slot()
                                    + " no longer exists, but "
                                    + need
                                    + ": the changes made since are no longer retained, and a new"
                                    + " slot would silently skip them, so the job stops."
                                    + START_OVER);
                }
            }
        }
    }
}
