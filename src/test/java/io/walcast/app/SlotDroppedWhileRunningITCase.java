package io.walcast.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import io.walcast.testing.LossChecker;
import io.walcast.testing.TestPostgres;
import io.walcast.testing.WalcastProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An admin drops the replication slot of a running job: terminates its walsender, then drops the
 * slot before the source reconnects. Flink restores the source from its last checkpoint inside the
 * same job; a new slot would start at the current WAL position and skip every change made since.
 * The job must fail and say so (start over with {@code --fresh}), and whatever it delivered must be
 * a gap-free prefix of the changes in commit order: no change after a lost one. A plain {@code kill
 * -9} and resume comes first, so the slot check is seen passing on a healthy slot too.
 */
class SlotDroppedWhileRunningITCase {
    static final String SLOT = "walcast_slotdrop";
    static TestPostgres pg;

    @TempDir Path dir;

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
        pg.execute(
                "create table items (id int primary key, v text)",
                "insert into items select g, 'snap-' || g from generate_series(1, 20) g");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @Test
    void slotDroppedUnderARunningJobFailsItInsteadOfSkippingChanges() throws Exception {
        Path job = dir.resolve("slotdrop.yaml");
        Files.writeString(
                job, pg.jobYaml("slotdrop", "public\\.items", "sinks:\n  stdout: {}").trim());
        String[] run = WalcastProcess.runLocal(job, dir.resolve("state"));
        // Every change of the test, in commit order (one session, one transaction each).
        List<LossChecker.Change> made = new ArrayList<>();
        LossChecker checker = new LossChecker("v");
        for (int id = 1; id <= 20; id++) {
            expect(checker, made, id, Operation.SNAPSHOT, "snap-" + id);
        }

        List<ChangeEnvelope> delivered = new ArrayList<>();
        int exit;
        String stderr;
        // A plain kill and resume first: the slot check passes on a healthy slot.
        try (WalcastProcess walcast = WalcastProcess.start(dir, "run0", Map.of(), run)) {
            walcast.await(e -> e.operation() == Operation.SNAPSHOT, 20, Duration.ofMinutes(3));
            long confirmed = pg.confirmedFlushLsn(SLOT);
            for (int id = 21; id <= 30; id++) {
                insert(checker, made, id, "a-" + id);
            }
            walcast.await(e -> e.operation() == Operation.INSERT, 10, Duration.ofMinutes(3));
            awaitSlotConfirmedPast(confirmed);
            walcast.kill();
            delivered.addAll(walcast.envelopes());
        }
        try (WalcastProcess walcast = WalcastProcess.start(dir, "run1", Map.of(), run)) {
            for (int id = 31; id <= 40; id++) {
                insert(checker, made, id, "a-" + id);
            }
            walcast.await(
                    e -> e.operation() == Operation.INSERT && idOf(e) > 30,
                    10,
                    Duration.ofMinutes(3));
            assertThat(walcast.stderr())
                    .contains("resuming job 'slotdrop' from checkpoint")
                    .contains("replication slot " + SLOT + " exists; the stream reads on from");
            String confirmedBefore = slotPosition();

            dropSlotUnderTheJob();
            // Made while the slot is gone: a slot created from now on would never see them.
            for (int id = 41; id <= 50; id++) {
                insert(checker, made, id, "gone-" + id);
            }
            // Later changes, one a second, until the job gives up or one of them arrives (which,
            // after the changes above were lost, would be carrying on as if nothing happened).
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            int id = 1000;
            while (walcast.isAlive()
                    && System.nanoTime() < deadline
                    && walcast.envelopes().stream().noneMatch(e -> idOf(e) >= 1000)) {
                insert(checker, made, ++id, "later-" + id);
                Thread.sleep(1000);
            }
            // let a delivery in flight reach stdout before looking
            Thread.sleep(3000);
            delivered.addAll(walcast.envelopes());
            stderr = walcast.stderr();
            exit = walcast.isAlive() ? -1 : walcast.waitFor(Duration.ofSeconds(1));
            stderr.lines()
                    .filter(
                            l ->
                                    l.contains("replication slot")
                                            || l.contains("at io.walcast.source.SlotGuarded")
                                            || l.contains("RUNNING to FAILED")
                                            || l.contains("switched from state RUNNING")
                                            || l.startsWith("walcast:"))
                    .map(l -> l.length() > 400 ? l.substring(0, 400) + "…" : l)
                    .forEach(l -> System.out.println("SLOT DROP stderr: " + l));
            System.out.println(
                    "SLOT DROP: slot before the drop "
                            + confirmedBefore
                            + ", slot now "
                            + slotPosition()
                            + ", exit "
                            + (exit == -1 ? "none (still running)" : Integer.toString(exit))
                            + ", "
                            + delivered.size()
                            + " envelopes, the last: "
                            + (delivered.isEmpty() ? "-" : delivered.get(delivered.size() - 1)));
        }

        LossChecker.Report report = checker.check("stdout", delivered);
        System.out.println("LOSS CHECK " + report);
        assertThat(report.unexpected()).as("never made").isEmpty();
        assertThat(report.inconsistentDuplicates()).as("copies that differ").isEmpty();
        // Nothing delivered after a change that was lost: lost changes are never silent.
        Set<LossChecker.Change> seen = new HashSet<>();
        delivered.forEach(e -> seen.add(checker.changeOf(e)));
        int firstLost = -1;
        for (int i = 0; i < made.size(); i++) {
            if (!seen.contains(made.get(i))) {
                firstLost = i;
                break;
            }
        }
        if (firstLost >= 0) {
            List<LossChecker.Change> after =
                    made.subList(firstLost, made.size()).stream().filter(seen::contains).toList();
            assertThat(after)
                    .as("delivered after the lost change " + made.get(firstLost))
                    .isEmpty();
        }
        // The job failed, and said what happened and what to do.
        assertThat(exit).as("exit code (-1: still running)").isEqualTo(2);
        assertThat(stderr.lines())
                .as("the error walcast reports")
                .anyMatch(
                        l ->
                                l.startsWith("walcast: replication slot " + SLOT)
                                        && l.contains("--fresh"));

        // The same command again does not resume past the gap either.
        try (WalcastProcess walcast = WalcastProcess.start(dir, "run2", Map.of(), run)) {
            assertThat(walcast.waitFor(Duration.ofMinutes(3))).isEqualTo(2);
            assertThat(walcast.stderr()).contains("replication slot " + SLOT).contains("--fresh");
            assertThat(walcast.stdoutLines()).isEmpty();
        }
    }

    /**
     * What an admin does: terminate the walsender holding the slot, then drop the slot, again until
     * the drop wins the race against the source reconnecting.
     */
    private static void dropSlotUnderTheJob() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        int attempts = 0;
        while (true) {
            attempts++;
            pg.queryOne(
                    "select pg_terminate_backend(active_pid) from pg_replication_slots"
                            + " where slot_name = '"
                            + SLOT
                            + "' and active_pid is not null");
            try {
                pg.queryOne("select pg_drop_replication_slot('" + SLOT + "')");
                System.out.println("SLOT DROP: dropped after " + attempts + " attempt(s)");
                return;
            } catch (IllegalStateException e) {
                // "replication slot ... is active for PID ...": the walsender is still exiting
                // or the source reconnected
                assertThat(System.nanoTime()).as("slot never dropped: " + e).isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    /** Waits until a checkpoint after now has moved the slot (the job commits it then). */
    private static void awaitSlotConfirmedPast(long confirmed) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (pg.confirmedFlushLsn(SLOT) <= confirmed) {
            assertThat(System.nanoTime()).as("no checkpoint moved the slot").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static String slotPosition() {
        List<List<String>> rows =
                pg.query(
                        "select restart_lsn, confirmed_flush_lsn, active from pg_replication_slots"
                                + " where slot_name = '"
                                + SLOT
                                + "'");
        return rows.isEmpty() ? "absent" : rows.get(0).toString();
    }

    private static void insert(
            LossChecker checker, List<LossChecker.Change> made, int id, String v) {
        pg.execute("insert into items values (" + id + ", '" + v + "')");
        expect(checker, made, id, Operation.INSERT, v);
    }

    private static void expect(
            LossChecker checker,
            List<LossChecker.Change> made,
            int id,
            Operation operation,
            String v) {
        checker.expect("items", Integer.toString(id), operation, v);
        made.add(new LossChecker.Change("items", Integer.toString(id), operation, v));
    }

    private static int idOf(ChangeEnvelope e) {
        return Integer.parseInt(e.key().asMap().values().iterator().next());
    }
}
