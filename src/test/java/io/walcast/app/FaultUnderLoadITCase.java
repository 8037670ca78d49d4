package io.walcast.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import io.walcast.testing.AllSinks;
import io.walcast.testing.ChangeWriter;
import io.walcast.testing.LossChecker;
import io.walcast.testing.RealSystems;
import io.walcast.testing.SlotWatch;
import io.walcast.testing.TestPostgres;
import io.walcast.testing.WalcastProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults under load, with the job as a separate process writing to every real sink (stdout,
 * RabbitMQ, the Kinesis emulator, Paimon) while a writer commits inserts, updates and deletes over
 * three tables: {@code kill -9} and the same command again; a fast shutdown and restart of
 * Postgres, which the job rides out on its own. Each must end with nothing lost in any sink,
 * duplicates only with equal ids and content, each row's changes in commit order, the Paimon tables
 * equal to Postgres, and the slot never confirmed ahead of the last completed checkpoint.
 */
class FaultUnderLoadITCase {
    static final Duration PATIENCE = Duration.ofMinutes(5);
    static final int SEED_ROWS = 100;

    static RealSystems real;
    static TestPostgres pg;

    // kept when a test fails: the job's logs, checkpoints and Paimon warehouse
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        real = RealSystems.start();
        pg = real.pg();
    }

    @AfterAll
    static void stop() throws Exception {
        real.close();
    }

    @Test
    void killDuringStreamingUnderLoad() throws Exception {
        List<String> tables = List.of("kill_a", "kill_b", "kill_c");
        LossChecker checker = new LossChecker("version");
        ChangeWriter writer =
                ChangeWriter.create(pg, tables, SEED_ROWS, checker, Duration.ofMillis(30));
        Path state = dir.resolve("state");
        try (AllSinks sinks = real.sinks("kill", dir);
                SlotWatch slot = new SlotWatch(pg, "walcast_kill_load", state)) {
            String[] run = WalcastProcess.runLocal(job("kill_load", "kill_.*", sinks), state);
            List<ChangeEnvelope> stdout = new ArrayList<>();
            try (WalcastProcess walcast = WalcastProcess.start(dir, "kill1", Map.of(), run)) {
                walcast.await(snapshotRow(), 3 * SEED_ROWS, PATIENCE);
                writer.start();
                walcast.await(e -> !e.snapshot(), 600, PATIENCE);
                walcast.kill();
                stdout.addAll(walcast.envelopes());
            }
            long confirmedAtKill = slot.confirmed();
            Thread.sleep(2000); // the writer goes on while the job is down
            try (WalcastProcess walcast = WalcastProcess.start(dir, "kill2", Map.of(), run)) {
                walcast.await(e -> !e.snapshot(), 600, PATIENCE);
                writer.stop();
                sinks.awaitCaughtUp(
                        checker, () -> walcast.envelopesAfter(stdout), walcast, slot, PATIENCE);
                sinks.awaitTablesEqual(pg, tables, PATIENCE);
                stdout.addAll(walcast.envelopes());
                assertThat(walcast.stderr()).contains("resuming job 'kill_load' from checkpoint");
            }
            assertPassed(checker, writer, sinks, slot, stdout);
            sinks.assertRepeatsOnlyAfter(checker, confirmedAtKill, () -> stdout);
        }
    }

    @Test
    void postgresFastShutdownAndRestartUnderLoad() throws Exception {
        List<String> tables = List.of("restart_a", "restart_b", "restart_c");
        LossChecker checker = new LossChecker("version");
        ChangeWriter writer =
                ChangeWriter.create(pg, tables, SEED_ROWS, checker, Duration.ofMillis(30));
        Path state = dir.resolve("state");
        try (AllSinks sinks = real.sinks("restart", dir);
                SlotWatch slot = new SlotWatch(pg, "walcast_restart_load", state);
                WalcastProcess walcast =
                        WalcastProcess.start(
                                dir,
                                "restart",
                                Map.of(),
                                WalcastProcess.runLocal(
                                        job("restart_load", "restart_.*", sinks), state))) {
            walcast.await(snapshotRow(), 3 * SEED_ROWS, PATIENCE);
            writer.start();
            walcast.await(e -> !e.snapshot(), 300, PATIENCE);
            long confirmedBeforeRestart = slot.confirmed();
            pg.stopFast();
            Thread.sleep(3000);
            pg.startAgain();
            long before = walcast.envelopes().stream().filter(e -> !e.snapshot()).count();
            walcast.await(e -> !e.snapshot(), (int) before + 600, PATIENCE);
            writer.stop();
            sinks.awaitCaughtUp(checker, walcast::envelopes, walcast, slot, PATIENCE);
            sinks.awaitTablesEqual(pg, tables, PATIENCE);
            assertThat(walcast.isAlive()).as("the job recovered by itself").isTrue();
            System.out.println(
                    "LOSS CHECK Postgres restart: tasks failed and restarted by Flink: "
                            + walcast.stderr()
                                    .lines()
                                    .filter(l -> l.contains("switched from RUNNING to FAILED"))
                                    .count());
            assertPassed(checker, writer, sinks, slot, walcast.envelopes());
            sinks.assertRepeatsOnlyAfter(checker, confirmedBeforeRestart, walcast::envelopes);
        }
    }

    private static void assertPassed(
            LossChecker checker,
            ChangeWriter writer,
            AllSinks sinks,
            SlotWatch slot,
            List<ChangeEnvelope> stdout)
            throws Exception {
        System.out.println("LOSS CHECK writer: " + writer.summary());
        sinks.assertNothingLost(checker, () -> stdout);
        System.out.println("LOSS CHECK " + slot.summary());
        assertThat(slot.violations()).isEmpty();
    }

    private Path job(String name, String tables, AllSinks sinks) throws Exception {
        return real.writeJob(dir, name, tables, sinks.yaml());
    }

    private static Predicate<ChangeEnvelope> snapshotRow() {
        return e -> e.operation() == Operation.SNAPSHOT;
    }
}
