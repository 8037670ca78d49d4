package io.walcast.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import io.walcast.testing.TestPostgres;
import io.walcast.testing.WalcastProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} at the worst moments — in the middle of the initial snapshot, in the middle of a
 * 100k-row transaction — then the same command again: every change arrives, and a change delivered
 * twice carries the same id.
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
        String[] run = command("snap", "public\\.snap", 1000);
        List<ChangeEnvelope> all = new ArrayList<>();
        try (WalcastProcess walcast = WalcastProcess.start(dir, "snap1", Map.of(), run)) {
            walcast.await(e -> true, 1, Duration.ofMinutes(3));
            walcast.kill();
            all.addAll(walcast.envelopes());
        }
        assertThat(all.size()).as("killed before the snapshot finished").isLessThan(rows);
        try (WalcastProcess walcast = WalcastProcess.start(dir, "snap2", Map.of(), run)) {
            pg.execute("insert into snap values (" + (rows + 1) + ", 'after')");
            // every row, the one written after the restart included, from either run
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            List<ChangeEnvelope> firstRun = List.copyOf(all);
            while (distinctKeys(firstRun, walcast.envelopes()) < rows + 1
                    && walcast.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            all.addAll(walcast.envelopes());
        }
        Report report =
                Report.of(
                        all,
                        IntStream.rangeClosed(1, rows + 1).boxed().collect(Collectors.toSet()));
        System.err.println("kill during snapshot: " + report);
        assertThat(report.lost()).isEmpty();
        assertThat(report.conflictingIds()).isEmpty();
    }

    @Test
    void killInTheMiddleOfAHundredThousandRowTransaction() throws Exception {
        int rows = 100_000;
        pg.execute(
                "create table big (id int primary key, v text)",
                "insert into big values (0, 'seed')");
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
        long firstRun = all.stream().filter(e -> e.operation() == Operation.INSERT).count();
        try (WalcastProcess walcast = WalcastProcess.start(dir, "big2", Map.of(), run)) {
            pg.execute("insert into big values (" + (rows + 1) + ", 'after')");
            walcast.await(
                    e ->
                            e.operation() == Operation.INSERT
                                    && e.key().json("id").equals(Integer.toString(rows + 1)),
                    1,
                    Duration.ofMinutes(5));
            all.addAll(walcast.envelopes());
        }
        Report report =
                Report.of(
                        all,
                        IntStream.rangeClosed(0, rows + 1).boxed().collect(Collectors.toSet()));
        System.err.println(
                "kill mid-transaction (first run delivered " + firstRun + " inserts): " + report);
        assertThat(report.lost()).isEmpty();
        assertThat(report.conflictingIds()).isEmpty();
        assertThat(report.unexpected()).isEmpty();
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
        return new String[] {
            "run",
            job.toString(),
            "--local",
            "--web-port",
            Integer.toString(WalcastProcess.freePort()),
            "--state-dir",
            dir.resolve("state-" + name).toString(),
            "--parallelism",
            "2"
        };
    }

    /** What the sink holds against what was written: per row key. */
    record Report(
            int delivered,
            int distinctIds,
            Set<Integer> lost,
            Set<Integer> unexpected,
            Set<String> conflictingIds) {
        static Report of(List<ChangeEnvelope> delivered, Set<Integer> expectedKeys) {
            Map<String, ChangeEnvelope> byId = new HashMap<>();
            Set<String> conflicting = new java.util.HashSet<>();
            Set<Integer> seen = new java.util.HashSet<>();
            for (ChangeEnvelope e : delivered) {
                ChangeEnvelope before = byId.putIfAbsent(e.id(), e);
                // a redelivered change must be the same change: same row, same operation, same
                // values
                if (before != null
                        && !(before.key().equals(e.key())
                                && before.operation() == e.operation()
                                && java.util.Objects.equals(before.current(), e.current()))) {
                    conflicting.add(e.id());
                }
                seen.add(Integer.parseInt(e.key().json("id")));
            }
            Set<Integer> lost = new java.util.TreeSet<>(expectedKeys);
            lost.removeAll(seen);
            Set<Integer> unexpected = new java.util.TreeSet<>(seen);
            unexpected.removeAll(expectedKeys);
            return new Report(delivered.size(), byId.size(), lost, unexpected, conflicting);
        }

        @Override
        public String toString() {
            return delivered
                    + " envelopes, "
                    + distinctIds
                    + " distinct ids, "
                    + (delivered - distinctIds)
                    + " redelivered, "
                    + lost.size()
                    + " lost, "
                    + unexpected.size()
                    + " unexpected, "
                    + conflictingIds.size()
                    + " ids with different content";
        }
    }

    private static long distinctKeys(List<ChangeEnvelope> a, List<ChangeEnvelope> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream())
                .map(e -> e.key().json("id"))
                .distinct()
                .count();
    }
}
