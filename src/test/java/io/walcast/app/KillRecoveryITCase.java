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
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} at the worst moments — in the middle of the initial snapshot, in the middle of a
 * 100k-row transaction — then the same command again: every change arrives, and a change delivered
 * twice carries the same id and content.
 */
class KillRecoveryITCase {
    static TestPostgres pg;

    @TempDir Path dir;

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @Test
    void killDuringTheInitialSnapshot() throws Exception {
        int rows = 20_000;
        pg.execute(
                "create table snap (id int primary key, v text)",
                "insert into snap select g, md5(g::text) from generate_series(1, " + rows + ") g");
        LossChecker checker = new LossChecker("v");
        expectRows(checker, "snap", Operation.SNAPSHOT, "");
        String[] run = command("snap", "public\\.snap", 1000);
        List<ChangeEnvelope> all = new ArrayList<>();
        try (WalcastProcess walcast = WalcastProcess.start(dir, "snap1", Map.of(), run)) {
            walcast.await(e -> true, 1, Duration.ofMinutes(3));
            walcast.kill();
            all.addAll(walcast.envelopes());
        }
        assertThat(all.size()).as("killed before the snapshot finished").isLessThan(rows);
        try (WalcastProcess walcast = WalcastProcess.start(dir, "snap2", Map.of(), run)) {
            awaitCovered(checker, all, walcast);
            // the snapshot is complete: a new row now comes from the stream
            pg.execute("insert into snap values (" + (rows + 1) + ", 'after')");
            checker.expect("snap", Integer.toString(rows + 1), Operation.INSERT, "after");
            awaitCovered(checker, all, walcast);
            all.addAll(walcast.envelopes());
        }
        checker.check("kill during snapshot", all).assertClean();
    }

    @Test
    void killInTheMiddleOfAHundredThousandRowTransaction() throws Exception {
        int rows = 100_000;
        pg.execute(
                "create table big (id int primary key, v text)",
                "insert into big values (0, 'seed')");
        LossChecker checker = new LossChecker("v");
        checker.expect("big", "0", Operation.SNAPSHOT, "seed");
        String[] run = command("big", "public\\.big", 1000);
        List<ChangeEnvelope> all = new ArrayList<>();
        try (WalcastProcess walcast = WalcastProcess.start(dir, "big1", Map.of(), run)) {
            walcast.await(e -> e.operation() == Operation.SNAPSHOT, 1, Duration.ofMinutes(3));
            Thread.sleep(3000); // streaming and a checkpoint or two
            pg.execute(
                    "insert into big select g, md5(g::text) from generate_series(1, "
                            + rows
                            + ") g");
            walcast.await(e -> e.operation() == Operation.INSERT, 1000, Duration.ofMinutes(3));
            walcast.kill();
            all.addAll(walcast.envelopes());
        }
        expectRows(checker, "big", Operation.INSERT, "where id > 0");
        long firstRun = all.stream().filter(e -> e.operation() == Operation.INSERT).count();
        try (WalcastProcess walcast = WalcastProcess.start(dir, "big2", Map.of(), run)) {
            pg.execute("insert into big values (" + (rows + 1) + ", 'after')");
            checker.expect("big", Integer.toString(rows + 1), Operation.INSERT, "after");
            awaitCovered(checker, all, walcast);
            all.addAll(walcast.envelopes());
        }
        System.out.println(
                "kill mid-transaction: the first run delivered " + firstRun + " inserts");
        checker.check("kill mid-transaction", all).assertClean();
    }

    /** Expects one change per row of the table as it is now, in key order. */
    private static void expectRows(
            LossChecker checker, String table, Operation operation, String where) {
        for (List<String> row :
                pg.query("select id, v from " + table + " " + where + " order by id")) {
            checker.expect(table, row.get(0), operation, row.get(1));
        }
    }

    /** Waits until the earlier runs and this one hold every expected change. */
    private static void awaitCovered(
            LossChecker checker, List<ChangeEnvelope> earlier, WalcastProcess walcast)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!checker.coveredBy(
                Stream.concat(earlier.stream(), walcast.envelopes().stream()).toList())) {
            if (!walcast.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("not every change arrived; stderr:\n" + walcast.stderr());
            }
            Thread.sleep(500);
        }
    }

    private String[] command(String name, String tables, int splitSize) throws Exception {
        Path job = dir.resolve(name + ".yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "name: " + name,
                        "checkpoint-interval: 1s",
                        "source:",
                        "  hostname: 127.0.0.1",
                        "  port: " + pg.port(),
                        "  database: postgres",
                        "  username: postgres",
                        "  tables: ['" + tables + "']",
                        "  snapshot-split-size: " + splitSize,
                        "sinks:",
                        "  stdout: {}"));
        return WalcastProcess.runLocal(job, dir.resolve("state-" + name));
    }
}
