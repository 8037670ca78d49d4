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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar as a user runs it: {@code walcast run job.yaml --local | jq} works (only envelopes on
 * stdout), the password never reaches a log, and after {@code kill -9} the same command resumes
 * from the latest completed checkpoint: nothing lost, nothing older than that checkpoint
 * redelivered, and a redelivered change carries the same id and content.
 */
class LocalRunITCase {
    static final String CANARY = "canary-Pw-7f3a9c";
    static TestPostgres pg;

    @TempDir Path dir;

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
        pg.execute(
                "create table items (id int primary key, v text)",
                "insert into items select g, 'snap-' || g from generate_series(1, 50) g");
        pg.createPasswordRole("walcast", CANARY);
        pg.execute("alter table items owner to walcast");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @Test
    void killedRunResumesFromItsLatestCheckpointWithoutLossAndWithStableIds() throws Exception {
        Path job = dir.resolve("localrun.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "name: localrun",
                        "checkpoint-interval: 2s",
                        "source:",
                        "  hostname: 127.0.0.1",
                        "  port: " + pg.port(),
                        "  database: postgres",
                        "  username: walcast",
                        "  password: ${WALCAST_PG_PASSWORD}",
                        "  tables: ['public\\.items']",
                        "  heartbeat: 1s",
                        "sinks:",
                        "  stdout: {}"));
        Map<String, String> env = Map.of("WALCAST_PG_PASSWORD", CANARY);
        String[] run = {
            "run",
            job.toString(),
            "--local",
            "--web-port",
            Integer.toString(WalcastProcess.freePort()),
            "--state-dir",
            dir.resolve("state").toString(),
            "--parallelism",
            "2"
        };

        List<ChangeEnvelope> first;
        List<ChangeEnvelope> second;
        try (WalcastProcess walcast = WalcastProcess.start(dir, "run1", env, run)) {
            walcast.await(e -> e.operation() == Operation.SNAPSHOT, 50, Duration.ofMinutes(3));
            pg.execute("insert into items select g, 'a-' || g from generate_series(51, 100) g");
            walcast.await(e -> e.operation() == Operation.INSERT, 50, Duration.ofMinutes(3));
            long seenA = System.currentTimeMillis();
            awaitCheckpointsCompletedAfter(seenA, 2);
            pg.execute("update items set v = 'b-' || id where id between 1 and 50");
            walcast.await(e -> e.operation() == Operation.UPDATE, 50, Duration.ofMinutes(3));
            walcast.kill();
            first = walcast.envelopes();
            assertThat(walcast.stderr()).doesNotContain(CANARY);
        }
        try (WalcastProcess walcast = WalcastProcess.start(dir, "run2", env, run)) {
            pg.execute("delete from items where id > 90");
            walcast.await(e -> e.operation() == Operation.DELETE, 10, Duration.ofMinutes(3));
            second = walcast.envelopes();
            assertThat(walcast.stderr())
                    .contains("resuming job 'localrun' from checkpoint")
                    .doesNotContain(CANARY);
        }

        // Nothing older than the restored checkpoint comes again: no snapshot row, no insert of A.
        assertThat(second)
                .noneMatch(
                        e ->
                                e.operation() == Operation.SNAPSHOT
                                        || e.operation() == Operation.INSERT);
        // Nothing lost, and a change delivered twice is the same change with the same id.
        LossChecker checker = new LossChecker("v");
        for (int id = 1; id <= 50; id++) {
            checker.expect("items", Integer.toString(id), Operation.SNAPSHOT, "snap-" + id);
        }
        for (int id = 51; id <= 100; id++) {
            checker.expect("items", Integer.toString(id), Operation.INSERT, "a-" + id);
        }
        for (int id = 1; id <= 50; id++) {
            checker.expect("items", Integer.toString(id), Operation.UPDATE, "b-" + id);
        }
        for (int id = 91; id <= 100; id++) {
            checker.expect("items", Integer.toString(id), Operation.DELETE, "a-" + id);
        }
        checker.check("stdout", Stream.concat(first.stream(), second.stream()).toList())
                .assertClean();
        Set<String> ids = new HashSet<>();
        second.forEach(
                e ->
                        assertThat(ids.add(e.id()))
                                .as("duplicate within one run: " + e.id())
                                .isTrue());

        // An admin drops the slot while the job is down: resuming would silently skip changes.
        dropSlotOnceInactive("walcast_localrun");
        pg.execute("insert into items values (1000, 'while the slot was gone')");
        try (WalcastProcess walcast = WalcastProcess.start(dir, "run3", env, run)) {
            assertThat(walcast.waitFor(Duration.ofMinutes(2))).isEqualTo(2);
            assertThat(walcast.stderr())
                    .contains("replication slot walcast_localrun no longer exists")
                    .contains("--fresh")
                    .doesNotContain("\tat ");
            assertThat(walcast.stdoutLines()).isEmpty();
        }
    }

    private static void dropSlotOnceInactive(String slot) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!"f"
                .equals(
                        pg.queryOne(
                                "select active from pg_replication_slots where slot_name = '"
                                        + slot
                                        + "'"))) {
            assertThat(System.nanoTime()).as("slot still active").isLessThan(deadline);
            Thread.sleep(200);
        }
        pg.queryOne("select pg_drop_replication_slot('" + slot + "')");
    }

    @Test
    void wrongPasswordAndUnreachablePostgresGetAClearMessage() throws Exception {
        Path job = dir.resolve("bad.yaml");
        String yaml =
                String.join(
                        "\n",
                        "name: bad",
                        "checkpoint-interval: 2s",
                        "source:",
                        "  hostname: 127.0.0.1",
                        "  port: PORT",
                        "  database: postgres",
                        "  username: walcast",
                        "  password: not-the-" + CANARY,
                        "sinks:",
                        "  stdout: {}");
        Files.writeString(job, yaml.replace("PORT", Integer.toString(pg.port())));
        try (WalcastProcess walcast =
                WalcastProcess.start(dir, "badpw", Map.of(), "validate", job.toString())) {
            assertThat(walcast.waitFor(Duration.ofMinutes(2))).isEqualTo(1);
            assertThat(walcast.stderr())
                    .contains("authentication failed; check source.username and source.password")
                    .doesNotContain("\tat ")
                    .doesNotContain(CANARY);
        }
        Files.writeString(job, yaml.replace("PORT", Integer.toString(WalcastProcess.freePort())));
        try (WalcastProcess walcast =
                WalcastProcess.start(
                        dir, "unreachable", Map.of(), "run", job.toString(), "--local")) {
            assertThat(walcast.waitFor(Duration.ofMinutes(2))).isEqualTo(2);
            assertThat(walcast.stderr())
                    .contains("the server is unreachable")
                    .contains("check source.hostname and source.port")
                    .doesNotContain("\tat ");
        }
    }

    private void awaitCheckpointsCompletedAfter(long since, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            try (Stream<Path> files =
                    Files.find(
                            dir.resolve("state"),
                            5,
                            (p, a) -> p.getFileName().toString().equals("_metadata"))) {
                long completed = files.filter(p -> p.toFile().lastModified() > since).count();
                if (completed >= count) {
                    return;
                }
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                // a checkpoint directory was removed while listing
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no checkpoint completed");
    }
}
