package io.walcast.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.config.JobConfig;
import io.walcast.testing.CheckpointGate;
import io.walcast.testing.TestJobs;
import io.walcast.testing.TestPostgres;
import java.time.Duration;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The replication slot's {@code confirmed_flush_lsn} never passes the last completed checkpoint.
 * Flink's collect sink hands a record to the test only once a checkpoint covering it completed, so
 * at every moment every change below the slot's confirmed position must already have been handed
 * over.
 */
class SlotAdvanceITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static TestPostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
        pg.execute("create table t (id int primary key, v text)", "insert into t values (0, 'a')");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @Test
    void slotDoesNotPassTheLastCompletedCheckpoint() throws Exception {
        JobConfig job = pg.job("slotadvance", "public\\.t", "sinks:\n  stdout: {}");
        StreamExecutionEnvironment env = TestJobs.environment();
        env.getCheckpointConfig().setTolerableCheckpointFailureNumber(Integer.MAX_VALUE);
        JobClient client = TestJobs.start(env, job, List.of(new CheckpointGate()));
        String slot = job.source().slot();
        try {
            awaitTrue(() -> CheckpointGate.SEEN.contains(-1L)); // the snapshot row
            pg.execute("insert into t values (1, 'streaming')");
            awaitTrue(() -> CheckpointGate.SEEN.size() == 2);
            long streamed =
                    CheckpointGate.SEEN.stream().mapToLong(Long::longValue).max().orElseThrow();
            awaitTrue(
                    () -> pg.confirmedFlushLsn(slot) > streamed); // checkpoints complete: it moves

            CheckpointGate.CLOSED.set(true);
            Thread.sleep(3000); // let a checkpoint in progress finish or fail
            long held = pg.confirmedFlushLsn(slot);
            pg.execute("insert into t select g, 'held' from generate_series(2, 501) g");
            awaitTrue(() -> CheckpointGate.SEEN.size() == 2 + 500);
            Thread.sleep(6000); // several checkpoints are attempted and declined meanwhile
            assertThat(pg.confirmedFlushLsn(slot)).as("read but not checkpointed").isEqualTo(held);

            CheckpointGate.CLOSED.set(false);
            long last = CheckpointGate.SEEN.stream().mapToLong(Long::longValue).max().orElseThrow();
            awaitTrue(() -> pg.confirmedFlushLsn(slot) >= last);
        } finally {
            CheckpointGate.CLOSED.set(false);
            client.cancel().get();
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "condition not met within 2 minutes; seen "
                                + CheckpointGate.SEEN
                                + ", slot "
                                + pg.queryOne(
                                        "select confirmed_flush_lsn - '0/0' from pg_replication_slots"));
            }
            Thread.sleep(100);
        }
    }
}
