package io.walcast.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import io.walcast.sink.kinesis.PartitionKeys;
import io.walcast.sink.paimon.PaimonReader;
import io.walcast.testing.AllSinks;
import io.walcast.testing.LossChecker;
import io.walcast.testing.MaterializedTables;
import io.walcast.testing.RealSystems;
import io.walcast.testing.TestPostgres;
import io.walcast.testing.WalcastProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input that is hard to carry, end to end through the job run as a process into every real sink
 * (stdout, RabbitMQ, the Kinesis emulator, Paimon): a row over the Kinesis record limit, a column
 * added and dropped while the job streams, non-ASCII column names (and the refusal of non-ASCII
 * table names), a table without a primary key. Each ends with every change accounted for in every
 * sink by the {@link LossChecker}: nothing is lost silently.
 */
class BadInputITCase {
    static final Duration PATIENCE = Duration.ofMinutes(4);

    static RealSystems real;
    static TestPostgres pg;

    @TempDir Path dir;

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
    void aRowOverTheKinesisLimitStopsTheJobUntilADeadLetterDirectoryTakesIt() throws Exception {
        pg.execute(
                "create table docs (id int primary key, version bigint not null, body text)",
                "insert into docs values (1, 1, 'small')");
        LossChecker checker = new LossChecker("version");
        checker.expect("docs", "1", Operation.SNAPSHOT, 1);
        Path deadLetters = dir.resolve("dead-letters");
        try (AllSinks sinks = real.sinks("oversize", dir)) {
            Path job = job("oversize", "docs", sinks.yaml());
            String[] run = WalcastProcess.runLocal(job, dir.resolve("state"));
            List<ChangeEnvelope> firstRun;
            try (WalcastProcess walcast = WalcastProcess.start(dir, "oversize1", Map.of(), run)) {
                walcast.await(is(Operation.SNAPSHOT), 1, PATIENCE);
                // The big row is written after this point. (Another sink may never print it: the
                // Kinesis writer can fail on it before the record reaches stdout.)
                long beforeBigRow =
                        Long.parseLong(pg.queryOne("select pg_current_wal_insert_lsn() - '0/0'"));
                pg.execute(
                        "insert into docs values (2, 2, repeat('x', 1100000))",
                        "update docs set version = 3, body = 'after' where id = 1");
                checker.expect("docs", "2", Operation.INSERT, 2);
                checker.expect("docs", "1", Operation.UPDATE, 3);
                awaitStderr(walcast, "a Kinesis record holds at most 1048576 bytes");
                Thread.sleep(5000); // restarts from the last checkpoint, again and again
                assertThat(pg.confirmedFlushLsn("walcast_oversize"))
                        .as("the slot never moves past the row no sink could take")
                        .isLessThanOrEqualTo(beforeBigRow);
                assertThat(sinks.kinesis()).noneMatch(e -> e.key().json("id").equals("2"));
                walcast.kill();
                firstRun = walcast.envelopes();
            }
            // The operator adds a dead-letter directory and runs the same command again.
            job("oversize", "docs", sinks.yaml("dead-letter-dir: '" + deadLetters + "'"));
            sinks.withKinesisDeadLetters(deadLetters);
            try (WalcastProcess walcast = WalcastProcess.start(dir, "oversize2", Map.of(), run)) {
                Supplier<List<ChangeEnvelope>> stdout = () -> walcast.envelopesAfter(firstRun);
                sinks.awaitCaughtUp(checker, stdout, walcast, PATIENCE);
                sinks.awaitTablesEqual(pg, List.of("docs"), PATIENCE);
                sinks.assertNothingLost(checker, stdout);
                assertThat(walcast.stderr()).contains("resuming job 'oversize' from checkpoint");
            }
            assertThat(sinks.kinesis()).noneMatch(e -> e.key().json("id").equals("2"));
            List<ChangeEnvelope> dead = sinks.kinesisDeadLetters();
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).current().json("body")).hasSize(1_100_000 + 2);
        }
    }

    @Test
    void aColumnAddedAndDroppedWhileStreaming() throws Exception {
        pg.execute(
                "create table evolve (id int primary key, version bigint not null, a text)",
                "insert into evolve values (1, 1, 'one')");
        LossChecker checker = new LossChecker("version");
        checker.expect("evolve", "1", Operation.SNAPSHOT, 1);
        try (AllSinks sinks = real.sinks("evolve", dir)) {
            String[] run =
                    WalcastProcess.runLocal(
                            job("evolve", "evolve", sinks.yaml()), dir.resolve("state"));
            try (WalcastProcess walcast = WalcastProcess.start(dir, "evolve", Map.of(), run)) {
                walcast.await(is(Operation.SNAPSHOT), 1, PATIENCE);
                pg.execute(
                        "insert into evolve values (2, 2, 'two')",
                        "alter table evolve add column extra int",
                        "insert into evolve values (3, 3, 'three', 33)",
                        "update evolve set version = 4, extra = 44 where id = 1",
                        "alter table evolve drop column extra",
                        "insert into evolve values (4, 5, 'four')",
                        "update evolve set version = 6 where id = 3",
                        "delete from evolve where id = 2");
                checker.expect("evolve", "2", Operation.INSERT, 2);
                checker.expect("evolve", "3", Operation.INSERT, 3);
                checker.expect("evolve", "1", Operation.UPDATE, 4);
                checker.expect("evolve", "4", Operation.INSERT, 5);
                checker.expect("evolve", "3", Operation.UPDATE, 6);
                checker.expect("evolve", "2", Operation.DELETE, 2);
                sinks.awaitCaughtUp(checker, walcast::envelopes, walcast, PATIENCE);
                sinks.assertNothingLost(checker, walcast::envelopes);

                // Each row image has exactly the columns the table had when it was written.
                Map<String, String> extraByVersion = new TreeMap<>();
                for (ChangeEnvelope e : walcast.envelopes()) {
                    var row = e.operation() == Operation.DELETE ? e.previous() : e.current();
                    extraByVersion.put(
                            row.json("version"), row.has("extra") ? row.json("extra") : "absent");
                }
                assertThat(extraByVersion)
                        .containsExactlyEntriesOf(
                                new TreeMap<>(
                                        Map.of(
                                                "1", "absent", "2", "absent", "3", "33", "4", "44",
                                                "5", "absent", "6", "absent")));
                // Paimon keeps the dropped column: NULL in rows written after the drop.
                sinks.awaitTablesEqual(pg, List.of("evolve"), PATIENCE);
                Map<String, String> lakeExtra = new TreeMap<>();
                PaimonReader.rows(sinks.paimon().table("evolve"))
                        .forEach(r -> lakeExtra.put(r.get("id"), String.valueOf(r.get("extra"))));
                assertThat(lakeExtra)
                        .containsExactlyEntriesOf(
                                new TreeMap<>(Map.of("1", "44", "3", "null", "4", "null")));
            }
        }
    }

    @Test
    void nonAsciiColumnNamesAreCapturedAndNonAsciiTableNamesRefused() throws Exception {
        pg.execute(
                "create table livres (id int primary key, version bigint not null,"
                        + " \"prix_€\" numeric(10,2), \"タイトル\" text, \"著者\" text)",
                "create table \"書籍\" (id int primary key, version bigint not null)",
                "insert into livres values (1, 1, 12.50, 'Der Zauberberg', '夏目漱石')");
        LossChecker checker = new LossChecker("version");
        checker.expect("livres", "1", Operation.SNAPSHOT, 1);
        try (AllSinks sinks = real.sinks("unicode", dir)) {
            // Flink CDC 3.5's pgoutput decoder misreads non-ASCII table names: refused up front.
            try (WalcastProcess refused =
                    WalcastProcess.start(
                            dir,
                            "unicode-refused",
                            Map.of(),
                            WalcastProcess.runLocal(
                                    job("unicode-refused", "(livres|書籍)", sinks.yaml()),
                                    dir.resolve("state-refused")))) {
                assertThat(refused.waitFor(PATIENCE)).isNotZero();
                assertThat(refused.stderr())
                        .contains("table public.書籍")
                        .contains("is not ASCII")
                        .contains("source.exclude-tables");
            }
            String[] run =
                    WalcastProcess.runLocal(
                            job("unicode", "livres", sinks.yaml()), dir.resolve("state"));
            try (WalcastProcess walcast = WalcastProcess.start(dir, "unicode", Map.of(), run)) {
                walcast.await(is(Operation.SNAPSHOT), 1, PATIENCE);
                pg.execute(
                        "insert into livres values (2, 2, 9.99, 'Ćwiczenia — ½ €', '村上春樹 🐈')",
                        "update livres set version = 3, \"prix_€\" = 13.00 where id = 1",
                        "delete from livres where id = 2");
                checker.expect("livres", "2", Operation.INSERT, 2);
                checker.expect("livres", "1", Operation.UPDATE, 3);
                checker.expect("livres", "2", Operation.DELETE, 2);
                sinks.awaitCaughtUp(checker, walcast::envelopes, walcast, PATIENCE);
                sinks.assertNothingLost(checker, walcast::envelopes);
                ChangeEnvelope insert =
                        walcast.envelopes().stream()
                                .filter(is(Operation.INSERT))
                                .findFirst()
                                .orElseThrow();
                assertThat(insert.current().json("著者")).isEqualTo("\"村上春樹 🐈\"");
                ChangeEnvelope update =
                        walcast.envelopes().stream()
                                .filter(is(Operation.UPDATE))
                                .findFirst()
                                .orElseThrow();
                assertThat(update.targets()).containsExactly("version", "prix_€");
                assertThat(update.current().json("タイトル")).isEqualTo("\"Der Zauberberg\"");
                MaterializedTables.awaitEqual(pg, sinks.paimon(), "livres", "livres", PATIENCE);
            }
        }
    }

    @Test
    void aTableWithoutPrimaryKey() throws Exception {
        pg.execute(
                "create table nokey (v text, n int)",
                "alter table nokey replica identity full",
                "insert into nokey values ('before', 0)");
        try (AllSinks sinks = real.sinks("nokey", dir)) {
            // The initial snapshot reads tables in chunks of their key: walcast refuses to start.
            Path initial = job("nokey", "nokey", sinks.yaml());
            try (WalcastProcess walcast =
                    WalcastProcess.start(
                            dir,
                            "nokey-initial",
                            Map.of(),
                            WalcastProcess.runLocal(initial, dir.resolve("state-initial")))) {
                assertThat(walcast.waitFor(PATIENCE)).isNotZero();
                assertThat(walcast.stderr())
                        .contains("it has no primary key, and source.startup is initial")
                        .contains("set source.startup: latest");
            }
            // With startup: latest its changes stream, with no key.
            Path latest = job("nokey", "nokey", "  startup: latest\n" + sinks.yaml());
            LossChecker checker = new LossChecker("n");
            try (WalcastProcess walcast =
                    WalcastProcess.start(
                            dir,
                            "nokey-latest",
                            Map.of(),
                            WalcastProcess.runLocal(latest, dir.resolve("state-latest")))) {
                awaitStreaming(walcast, "walcast_nokey");
                pg.execute(
                        "insert into nokey values ('a', 1), ('b', 2)",
                        "update nokey set n = 3 where n = 1",
                        "delete from nokey where n = 2");
                checker.expect("nokey", null, Operation.INSERT, 1);
                checker.expect("nokey", null, Operation.INSERT, 2);
                checker.expect("nokey", null, Operation.UPDATE, 3);
                checker.expect("nokey", null, Operation.DELETE, 2);
                sinks.awaitCaughtUp(checker, walcast::envelopes, walcast, PATIENCE);
                sinks.assertNothingLost(checker, walcast::envelopes);
                List<ChangeEnvelope> streamed = sinks.kinesis();
                assertThat(streamed).allMatch(e -> e.key() == null);
                assertThat(streamed)
                        .extracting(PartitionKeys::of)
                        .as("one partition key: all changes on one shard, in commit order")
                        .containsOnly("nokey");
                ChangeEnvelope update =
                        streamed.stream().filter(is(Operation.UPDATE)).findFirst().orElseThrow();
                assertThat(update.previous().json("n")).isEqualTo("1");
                assertThat(sinks.paimon().table("nokey"))
                        .as("no current-state table: history only")
                        .isNull();
            }
        }
    }

    /** Waits until the job's replication connection streams from the slot. */
    private static void awaitStreaming(WalcastProcess walcast, String slot)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!"t"
                .equals(
                        pg.queryOne(
                                "select active from pg_replication_slots where slot_name = '"
                                        + slot
                                        + "'"))) {
            assertThat(walcast.isAlive()).as("walcast runs").isTrue();
            assertThat(System.nanoTime()).as("slot " + slot + " active").isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** A job definition; {@code more} goes under {@code source:} and may start {@code sinks:}. */
    private Path job(String name, String tables, String more) throws Exception {
        return real.writeJob(dir, name, tables, more);
    }

    private static Predicate<ChangeEnvelope> is(Operation operation) {
        return e -> e.operation() == operation;
    }

    private static void awaitStderr(WalcastProcess walcast, String text)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!walcast.stderr().contains(text)) {
            assertThat(System.nanoTime()).as("stderr shows: " + text).isLessThan(deadline);
            Thread.sleep(500);
        }
    }
}
