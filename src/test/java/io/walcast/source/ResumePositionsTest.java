package io.walcast.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ResumePositionsTest {
    @Test
    void aCommitPositionIsStoredOneByteEarlier() {
        // the source's position after transaction 7 committed, its commit record ending at 1100
        Map<String, String> afterCommit =
                Map.of("lsn", "1100", "lsn_proc", "1100", "lsn_commit", "1100", "txId", "7");
        assertThat(ResumePositions.safe(afterCommit, 1000))
                .containsEntry("lsn_proc", "1099")
                .containsEntry("lsn_commit", "1100")
                .containsEntry("lsn", "1100")
                .containsEntry("txId", "7");
    }

    @Test
    void otherPositionsAreLeftAlone() {
        // a change in the middle of a transaction: resumes after it
        Map<String, String> change =
                Map.of("lsn", "1200", "lsn_proc", "1200", "lsn_commit", "1100", "txId", "8");
        assertThat(ResumePositions.safe(change, 1200)).isSameAs(change);
        // a heartbeat's logical message, not part of a transaction: where its record starts
        Map<String, String> message =
                Map.of("lsn", "1300", "lsn_proc", "1300", "lsn_commit", "1300");
        assertThat(ResumePositions.safe(message, 1200)).isSameAs(message);
        // the first change of a transaction, written at the previous commit's end, just emitted
        Map<String, String> first =
                Map.of("lsn", "1100", "lsn_proc", "1100", "lsn_commit", "1100", "txId", "8");
        assertThat(ResumePositions.safe(first, 1100)).isSameAs(first);
        // an offset without Debezium's positions (where a new stream starts)
        Map<String, String> initial = Map.of("lsn", "1100", "txId", "7");
        assertThat(ResumePositions.safe(initial, -1)).isSameAs(initial);
    }
}
