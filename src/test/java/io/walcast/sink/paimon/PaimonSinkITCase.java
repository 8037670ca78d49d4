package io.walcast.sink.paimon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.walcast.app.WalcastJob;
import io.walcast.config.JobConfig;
import io.walcast.sink.EnvelopeSink;
import io.walcast.source.CapturedTable;
import io.walcast.testing.MaterializedTables;
import io.walcast.testing.TestJobs;
import io.walcast.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.paimon.table.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Materialized datasets end to end: embedded Postgres → the real walcast graph on a MiniCluster
 * (checkpointing every second) → Paimon tables in a real warehouse directory, read back with
 * Paimon's own reader. A randomized workload over three typed tables (key updates, deletes, a
 * truncate, columns added mid-run) runs across a job kill and a restart from the latest checkpoint;
 * the tables must then equal Postgres and the history hold every change once.
 */
class PaimonSinkITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static final Duration PATIENCE = Duration.ofMinutes(4);

    @TempDir static Path dir;
    static TestPostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
        pg.execute(
                "create table accounts (id int primary key, name text not null,"
                        + " balance numeric(12,2), active boolean, opened timestamptz,"
                        + " tags text[], meta jsonb)",
                "create table orders (id bigint primary key, account_id int, amount numeric,"
                        + " placed date, at timestamp, note varchar(20), payload bytea,"
                        + " score double precision, ref uuid)",
                "alter table orders replica identity full",
                "create table items (order_id bigint, line int, qty smallint,"
                        + " price numeric(10,3), primary key (order_id, line))",
                "create table audit_log (msg text)");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @Test
    void tablesEqualPostgresAfterKillRestartTruncateAndAddedColumns() throws Exception {
        Workload w = new Workload(new Random(20261123));
        for (int i = 0; i < 20; i++) {
            w.insertAccount();
            w.insertOrder();
            w.insertItem();
        }
        int seeded = w.statements.getAndSet(0);

        String warehouse = dir.resolve("warehouse").toUri().toString();
        Path checkpoints = dir.resolve("checkpoints");
        JobConfig job = job("datasets", warehouse, true, "public\\.(accounts|orders|items)");
        JobClient first = start(job, checkpoints, null);
        try (PaimonReader paimon = new PaimonReader(warehouse, "app")) {
            awaitRows(paimon, "accounts", 20);
            awaitRows(paimon, "items", 15);

            for (int i = 0; i < 80; i++) {
                w.randomChange();
            }
            // Kill the job (no savepoint) while the workload goes on.
            Thread writer =
                    new Thread(
                            () -> {
                                for (int i = 0; i < 80; i++) {
                                    w.randomChange();
                                    sleep(15);
                                }
                            });
            writer.start();
            sleep(600);
            boolean killedMidWorkload = writer.isAlive();
            first.cancel().get();
            writer.join();
            assertThat(killedMidWorkload)
                    .as("the job was cancelled while changes were made")
                    .isTrue();
            Path latest = latestCheckpoint(checkpoints).orElseThrow();

            JobClient second = start(job, checkpoints, latest);
            try {
                pg.execute(
                        "alter table accounts add column nickname text",
                        "alter table orders add column priority int");
                w.withNewColumns = true;
                for (int i = 0; i < 60; i++) {
                    w.randomChange();
                }
                w.truncateItems();
                for (int i = 0; i < 10; i++) {
                    w.insertItem();
                    w.randomChange();
                }

                for (String t : List.of("accounts", "orders", "items")) {
                    awaitEqual(paimon, t);
                }
                assertThat(paimon.table("accounts").rowType().getFieldNames()).contains("nickname");
                assertThat(paimon.table("orders").rowType().getFieldNames()).contains("priority");

                // Every change exactly once: one history row per row change, distinct ids.
                int streamed = w.statements.get() + w.keyChanges.get();
                List<Map<String, String>> history = awaitHistory(paimon, seeded + streamed);
                System.err.printf(
                        "PaimonSinkITCase: history %d rows = %d snapshot + %d statements + %d key"
                                + " updates; Paimon rows accounts=%d orders=%d items=%d%n",
                        history.size(),
                        seeded,
                        w.statements.get(),
                        w.keyChanges.get(),
                        PaimonReader.rows(paimon.table("accounts")).size(),
                        PaimonReader.rows(paimon.table("orders")).size(),
                        PaimonReader.rows(paimon.table("items")).size());
                assertThat(history.stream().map(r -> r.get("id")).distinct().count())
                        .isEqualTo(history.size());
                assertThat(history.stream().filter(r -> r.get("snapshot").equals("true")))
                        .hasSize(seeded);
                assertThat(history.stream().filter(r -> r.get("operation").equals("truncate")))
                        .hasSize(1);

                incrementalReadReturnsExactlyTheChangesBetweenTwoSnapshots(paimon, w);
            } finally {
                second.cancel().get();
            }
        }
    }

    private void incrementalReadReturnsExactlyTheChangesBetweenTwoSnapshots(
            PaimonReader paimon, Workload w) throws Exception {
        Table history = paimon.table(HistoryRows.TABLE);
        Table accounts = paimon.table("accounts");
        long h1 = history.latestSnapshot().orElseThrow().id();
        long a1 = accounts.latestSnapshot().orElseThrow().id();
        Set<String> before = ids(PaimonReader.rows(history));
        List<Integer> inserted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inserted.add(w.insertAccount());
        }
        int deleted = w.deleteAccount();
        awaitEqual(paimon, "accounts");
        List<Map<String, String>> all = awaitHistory(paimon, before.size() + 6);
        long h2 = paimon.table(HistoryRows.TABLE).latestSnapshot().orElseThrow().id();
        long a2 = paimon.table("accounts").latestSnapshot().orElseThrow().id();

        List<Map<String, String>> between =
                PaimonReader.rows(
                        paimon.table(HistoryRows.TABLE)
                                .copy(Map.of("incremental-between", h1 + "," + h2)));
        Set<String> expected = ids(all);
        expected.removeAll(before);
        assertThat(ids(between)).hasSize(6).isEqualTo(expected);

        List<Map<String, String>> changes =
                PaimonReader.rows(
                        paimon.table("accounts")
                                .copy(Map.of("incremental-between", a1 + "," + a2)));
        assertThat(changes.stream().map(r -> r.get("$kind") + r.get("id")))
                .containsExactlyInAnyOrderElementsOf(
                        Stream.concat(
                                        inserted.stream().map(id -> "+I" + id),
                                        Stream.of("-D" + deleted))
                                .toList());
    }

    @Test
    void icebergMetadataIsWrittenNextToTheTableWhenAskedFor() throws Exception {
        pg.execute(
                "create table lake_ice (id int primary key, t text, amount numeric(10,2),"
                        + " at timestamptz)",
                "insert into lake_ice values (1, 'a', 1.50, '2024-01-01 00:00:00+00'),"
                        + " (2, null, null, null)");
        String warehouse = dir.resolve("iceberg").toUri().toString();
        JobConfig job =
                pg.job(
                        "iceberg",
                        "public\\.lake_ice",
                        String.join(
                                "\n",
                                "sinks:",
                                "  paimon:",
                                "    warehouse: '" + warehouse + "'",
                                "    database: app",
                                "    history: false",
                                "    iceberg: true"));
        JobClient client = start(job, dir.resolve("iceberg-checkpoints"), null);
        try (PaimonReader paimon = new PaimonReader(warehouse, "app")) {
            pg.execute("update lake_ice set t = 'b' where id = 2");
            awaitEqual(paimon, "lake_ice");
            // written by the commit, just after the Paimon snapshot that awaitEqual reads
            Path metadata = dir.resolve("iceberg/app.db/lake_ice/metadata");
            await(
                    () -> {
                        try (Stream<Path> files = Files.list(metadata)) {
                            return files.anyMatch(
                                    p -> p.getFileName().toString().endsWith(".metadata.json"));
                        } catch (IOException e) {
                            return false;
                        }
                    },
                    "Iceberg metadata in " + metadata);
        } finally {
            client.cancel().get();
        }
    }

    @Test
    void tableWithoutPrimaryKeyIsRefusedWhenHistoryIsOff() {
        JobConfig job =
                job("refused", dir.resolve("refused").toUri().toString(), false, "public\\..*");
        List<CapturedTable> tables = WalcastJob.prepare(job);
        EnvelopeSink sink = new PaimonSink(job.sinks().paimon(), job, tables);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        assertThatThrownBy(() -> WalcastJob.build(env, job, tables, List.of(sink)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("public.audit_log has no primary key")
                .hasMessageContaining("history: true");
    }

    // ---------------------------------------------------------------- the workload

    /** Random single-row statements; each changes exactly one row, so each is one envelope. */
    static final class Workload {
        final Random random;
        final AtomicInteger statements = new AtomicInteger();

        /** Primary-key updates: the source emits them as a delete plus an insert. */
        final AtomicInteger keyChanges = new AtomicInteger();

        final List<Integer> accounts = new ArrayList<>();
        final List<Long> orders = new ArrayList<>();
        final List<long[]> items = new ArrayList<>();
        volatile boolean withNewColumns;
        int nextAccount = 1;
        long nextOrder = 1;

        Workload(Random random) {
            this.random = random;
        }

        synchronized void randomChange() {
            int dice = random.nextInt(12);
            switch (dice) {
                case 0 -> insertAccount();
                case 1 -> insertOrder();
                case 2 -> insertItem();
                case 3 -> updateAccount();
                case 4 -> updateOrder();
                case 5 -> updateItemQty();
                case 6 -> changeItemKey();
                case 7 -> changeAccountKey();
                case 8 -> deleteAccount();
                case 9 -> deleteOrder();
                case 10 -> deleteItem();
                default -> updateOrder();
            }
        }

        synchronized int insertAccount() {
            int id = nextAccount++;
            run(
                    "insert into accounts (id, name, balance, active, opened, tags, meta"
                            + (withNewColumns ? ", nickname" : "")
                            + ") values ("
                            + id
                            + ", "
                            + text()
                            + ", "
                            + maybe(() -> money())
                            + ", "
                            + maybe(() -> Boolean.toString(random.nextBoolean()))
                            + ", "
                            + maybe(() -> timestamptz())
                            + ", "
                            + maybe(() -> tags())
                            + ", "
                            + maybe(() -> jsonb())
                            + (withNewColumns ? ", " + maybe(() -> text()) : "")
                            + ")");
            accounts.add(id);
            return id;
        }

        synchronized void insertOrder() {
            long id = nextOrder++;
            run(
                    "insert into orders (id, account_id, amount, placed, at, note, payload, score,"
                            + " ref"
                            + (withNewColumns ? ", priority" : "")
                            + ") values ("
                            + id
                            + ", "
                            + random.nextInt(1000)
                            + ", "
                            + maybe(() -> bigNumeric())
                            + ", "
                            + maybe(() -> date())
                            + ", "
                            + maybe(() -> timestamp())
                            + ", "
                            + maybe(() -> text())
                            + ", "
                            + maybe(() -> bytes())
                            + ", "
                            + maybe(() -> dbl())
                            + ", "
                            + maybe(() -> "gen_random_uuid()")
                            + (withNewColumns ? ", " + maybe(() -> "" + random.nextInt(9)) : "")
                            + ")");
            orders.add(id);
        }

        synchronized void insertItem() {
            long order = 1 + random.nextInt(40);
            int line = 1 + random.nextInt(100000);
            if (items.stream().anyMatch(k -> k[0] == order && k[1] == line)) {
                return;
            }
            run(
                    "insert into items values ("
                            + order
                            + ", "
                            + line
                            + ", "
                            + maybe(() -> "" + (random.nextInt(65536) - 32768))
                            + ", "
                            + maybe(() -> (random.nextInt(2000000) - 1000000) / 1000.0 + "")
                            + ")");
            items.add(new long[] {order, line});
        }

        void updateAccount() {
            if (accounts.isEmpty()) {
                return;
            }
            int id = accounts.get(random.nextInt(accounts.size()));
            run(
                    "update accounts set balance = "
                            + maybe(() -> money())
                            + ", tags = "
                            + maybe(() -> tags())
                            + ", meta = "
                            + maybe(() -> jsonb())
                            + (withNewColumns ? ", nickname = " + maybe(() -> text()) : "")
                            + " where id = "
                            + id);
        }

        void updateOrder() {
            if (orders.isEmpty()) {
                return;
            }
            long id = orders.get(random.nextInt(orders.size()));
            run(
                    "update orders set amount = "
                            + maybe(() -> bigNumeric())
                            + ", at = "
                            + maybe(() -> timestamp())
                            + ", score = "
                            + maybe(() -> dbl())
                            + ", payload = "
                            + maybe(() -> bytes())
                            + (withNewColumns
                                    ? ", priority = " + maybe(() -> "" + random.nextInt(9))
                                    : "")
                            + " where id = "
                            + id);
        }

        void updateItemQty() {
            if (items.isEmpty()) {
                return;
            }
            long[] k = items.get(random.nextInt(items.size()));
            run(
                    "update items set qty = "
                            + random.nextInt(100)
                            + " where order_id = "
                            + k[0]
                            + " and line = "
                            + k[1]);
        }

        void changeItemKey() {
            if (items.isEmpty()) {
                return;
            }
            long[] k = items.get(random.nextInt(items.size()));
            long line = k[1] + 1_000_000;
            if (items.stream().anyMatch(o -> o[0] == k[0] && o[1] == line)) {
                return;
            }
            run(
                    "update items set line = "
                            + line
                            + " where order_id = "
                            + k[0]
                            + " and line = "
                            + k[1]);
            k[1] = line;
            keyChanges.incrementAndGet();
        }

        void changeAccountKey() {
            if (accounts.isEmpty()) {
                return;
            }
            int i = random.nextInt(accounts.size());
            int id = accounts.get(i);
            int to = nextAccount++;
            run("update accounts set id = " + to + " where id = " + id);
            accounts.set(i, to);
            keyChanges.incrementAndGet();
        }

        synchronized int deleteAccount() {
            int id = accounts.remove(random.nextInt(accounts.size()));
            run("delete from accounts where id = " + id);
            return id;
        }

        void deleteOrder() {
            if (orders.size() < 5) {
                return;
            }
            run("delete from orders where id = " + orders.remove(random.nextInt(orders.size())));
        }

        void deleteItem() {
            if (items.size() < 5) {
                return;
            }
            long[] k = items.remove(random.nextInt(items.size()));
            run("delete from items where order_id = " + k[0] + " and line = " + k[1]);
        }

        synchronized void truncateItems() {
            run("truncate items");
            items.clear();
        }

        void audit() {
            run("insert into audit_log values (" + text() + ")");
        }

        private void run(String sql) {
            pg.execute(sql);
            statements.incrementAndGet();
        }

        private String maybe(Supplier<String> value) {
            return random.nextInt(8) == 0 ? "null" : value.get();
        }

        private String text() {
            String[] parts = {"alpha", "é ü", "quote ' here", "back\\slash", "\"dq\"", "", "x y"};
            return "'"
                    + parts[random.nextInt(parts.length)].replace("'", "''")
                    + random.nextInt(99)
                    + "'";
        }

        private String money() {
            return (random.nextInt(2_000_000_000) - 1_000_000_000) / 100.0 + "";
        }

        private String bigNumeric() {
            return switch (random.nextInt(4)) {
                case 0 -> "'NaN'";
                case 1 -> "123456789012345678901234567890123456789012." + random.nextInt(1000);
                default -> random.nextInt(100000) + "." + random.nextInt(100);
            };
        }

        private String date() {
            return "date '2024-01-01' + " + random.nextInt(2000);
        }

        private String timestamp() {
            return "timestamp '2024-03-10 01:00:00' + interval '"
                    + random.nextInt(100_000_000)
                    + " milliseconds' + interval '"
                    + random.nextInt(1000)
                    + " microseconds'";
        }

        private String timestamptz() {
            return "timestamptz '2024-06-01 12:00:00.123456+02' + interval '"
                    + random.nextInt(100_000)
                    + " seconds'";
        }

        private String tags() {
            return random.nextBoolean()
                    ? "'{}'"
                    : "array[" + text() + ", null, " + text() + "]::text[]";
        }

        private String jsonb() {
            return "'{\"k\": " + random.nextInt(100) + ", \"s\": \"a b\", \"n\": [1, 2.50, null]}'";
        }

        private String bytes() {
            byte[] b = new byte[random.nextInt(6)];
            random.nextBytes(b);
            return "'\\x" + java.util.HexFormat.of().formatHex(b) + "'::bytea";
        }

        private String dbl() {
            return switch (random.nextInt(5)) {
                case 0 -> "'NaN'";
                case 1 -> "'-Infinity'";
                default -> random.nextInt(1000) / 10.0 + "";
            };
        }
    }

    // ---------------------------------------------------------------- job and checks

    /**
     * The job over {@code tables}. The main test leaves out audit_log: the CDC source cannot take
     * an incremental snapshot of a table without a primary key (it asks for a chunk key column).
     */
    static JobConfig job(String name, String warehouse, boolean history, String tables) {
        return pg.job(
                name,
                tables,
                String.join(
                        "\n",
                        "sinks:",
                        "  paimon:",
                        "    warehouse: '" + warehouse + "'",
                        "    database: app",
                        "    history: " + history,
                        "    buckets: 2"));
    }

    /**
     * Parallelism 2, checkpoints every second kept on cancel. Generic types stay on: Paimon's CDC
     * writer moves its own record classes between operators with Kryo.
     */
    static JobClient start(JobConfig job, Path checkpoints, Path restoreFrom) throws Exception {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (restoreFrom != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(1000, CheckpointingMode.EXACTLY_ONCE);
        List<CapturedTable> tables = WalcastJob.prepare(job);
        WalcastJob.build(env, job, tables, io.walcast.app.Sinks.fromConfig(job, tables));
        return env.executeAsync(job.name());
    }

    static Optional<Path> latestCheckpoint(Path checkpoints) throws IOException {
        try (Stream<Path> files = Files.find(checkpoints, 3, (p, a) -> p.endsWith("_metadata"))) {
            return files.map(Path::getParent)
                    .max(
                            Comparator.comparingLong(
                                    p ->
                                            Long.parseLong(
                                                    p.getFileName()
                                                            .toString()
                                                            .substring("chk-".length()))));
        }
    }

    private static void awaitRows(PaimonReader paimon, String table, int atLeast) {
        await(
                () -> {
                    Table t = paimon.table(table);
                    return t != null && PaimonReader.rows(t).size() >= atLeast;
                },
                table + " has " + atLeast + " rows");
    }

    private static List<Map<String, String>> awaitHistory(PaimonReader paimon, int rows) {
        List<List<Map<String, String>>> last = new ArrayList<>();
        await(
                () -> {
                    last.clear();
                    last.add(PaimonReader.rows(paimon.table(HistoryRows.TABLE)));
                    return last.get(0).size() >= rows;
                },
                "history has " + rows + " rows");
        List<Map<String, String>> history = last.get(0);
        assertThat(history.size())
                .as(
                        "history rows by operation %s, distinct ids %s",
                        history.stream()
                                .collect(
                                        Collectors.groupingBy(
                                                r -> r.get("table") + "." + r.get("operation"),
                                                TreeMap::new,
                                                Collectors.counting())),
                        history.stream().map(r -> r.get("id")).distinct().count())
                .isEqualTo(rows);
        return history;
    }

    private static void awaitEqual(PaimonReader paimon, String table) throws Exception {
        MaterializedTables.awaitEqual(pg, paimon, table, table, PATIENCE);
    }

    private static Set<String> ids(List<Map<String, String>> rows) {
        return rows.stream().map(r -> r.get("id")).collect(Collectors.toCollection(HashSet::new));
    }

    private static void await(Supplier<Boolean> condition, String what) {
        await(condition, () -> what);
    }

    private static void await(Supplier<Boolean> condition, Supplier<String> what) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            boolean ok;
            try {
                ok = condition.get();
            } catch (RuntimeException e) {
                ok = false;
            }
            if (ok) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after " + PATIENCE + " waiting until " + what.get());
            }
            sleep(500);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
