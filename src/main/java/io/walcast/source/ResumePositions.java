package io.walcast.source;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitBase;
import org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplit;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffset;

/**
 * Keeps a resumed stream from skipping the first change of a transaction.
 *
 * <p>Debezium 1.9 (inside Flink CDC 3.5) resumes after the position in the offset ({@code
 * lsn_proc}) and takes every change at exactly that position as already processed (DBZ-5915 and
 * DBZ-6204, fixed in Debezium 2.2). After a commit that position is the commit record's end, which
 * is where the next transaction's first change starts whenever nothing else was written to the WAL
 * in between. The source stores such positions whenever the stream is idle after a commit
 * (heartbeats), so a job restored from a checkpoint taken then skipped the next change
 * (KillRecoveryITCase shows it every time; FaultUnderLoadITCase lost one from Paimon once in a few
 * runs).
 *
 * <p>A transaction's position ({@code txId} set) whose {@code lsn_proc} equals {@code lsn_commit}
 * and is not where the last emitted change was is therefore stored one byte earlier: Debezium then
 * finds no message at it and replays the first transaction that commits after {@code lsn_commit}
 * from its start, which is where the job has to go on. A logical message's position ({@code txId}
 * absent: the heartbeat action query) is where that message's record starts, never a change's, and
 * is left as it is; so is the position of a transaction's first change written at the previous
 * commit's end, once emitted. The {@code lsn} the slot is advanced to is not touched.
 */
final class ResumePositions {
    static final String PROCESSED = "lsn_proc";
    static final String COMMIT = "lsn_commit";
    static final String TRANSACTION = "txId";

    private ResumePositions() {}

    /**
     * The split, with a stream split's commit position made safe to resume from; {@code lastChange}
     * is the WAL position of the last change the reader emitted (-1 for none).
     */
    static SourceSplitBase safe(SourceSplitBase split, long lastChange) {
        if (!split.isStreamSplit()) {
            return split;
        }
        StreamSplit s = split.asStreamSplit();
        Map<String, String> offset = s.getStartingOffset().getOffset();
        Map<String, String> safe = safe(offset, lastChange);
        if (safe == offset) {
            return split;
        }
        return new StreamSplit(
                s.splitId(),
                PostgresOffset.of(safe),
                s.getEndingOffset(),
                s.getFinishedSnapshotSplitInfos(),
                s.getTableSchemas(),
                s.getTotalFinishedSplitSize(),
                s.isSuspended(),
                s.isSnapshotCompleted());
    }

    /**
     * The offset itself when it is safe, else a copy whose {@code lsn_proc} is one byte earlier: a
     * transaction's position whose {@code lsn_proc} equals {@code lsn_commit} is a commit's end,
     * unless it is the position of the change just emitted (the first change of a transaction,
     * written right at the previous commit's end), which Debezium rightly resumes after.
     */
    static Map<String, String> safe(Map<String, String> offset, long lastChange) {
        Long processed = number(offset.get(PROCESSED));
        if (processed == null
                || !processed.equals(number(offset.get(COMMIT)))
                || offset.get(TRANSACTION) == null
                || processed == lastChange) {
            return offset;
        }
        Map<String, String> safe = new HashMap<>(offset);
        safe.put(PROCESSED, Long.toString(processed - 1));
        return safe;
    }

    private static Long number(String value) {
        return value == null || !value.matches("\\d+") ? null : Long.parseLong(value);
    }
}
