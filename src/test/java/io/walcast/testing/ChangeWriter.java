package io.walcast.testing;

import io.walcast.envelope.Operation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Load for fault tests: a thread committing small transactions of inserts, updates and deletes over
 * several tables {@code (id int primary key, version bigint, payload text)}, each change recorded
 * in a {@link LossChecker} once its transaction committed. Every change sets {@code version} to a
 * value of its own. It rides out a Postgres restart: when a commit fails, it reconnects and reads
 * the first row of the transaction back to learn whether it committed.
 */
public final class ChangeWriter implements AutoCloseable {
    /** One statement of a transaction and the change it makes. */
    private record Step(String table, int id, Operation operation, long version) {}

    private final TestPostgres pg;
    private final List<String> tables;
    private final LossChecker checker;
    private final Duration pause;
    private final Map<String, Map<Integer, Long>> live = new HashMap<>();
    private final Map<String, Integer> nextId = new HashMap<>();
    private final Random random = new Random(42);
    private long version;
    private int transactions;
    private int failedCommits;
    private Thread thread;
    private volatile boolean running;
    private volatile Throwable failure;

    private ChangeWriter(
            TestPostgres pg, List<String> tables, LossChecker checker, Duration pause) {
        this.pg = pg;
        this.tables = tables;
        this.checker = checker;
        this.pause = pause;
    }

    /**
     * Creates the tables with {@code seedRows} rows each, expected as snapshot rows, and returns a
     * writer that has not started yet.
     */
    public static ChangeWriter create(
            TestPostgres pg,
            List<String> tables,
            int seedRows,
            LossChecker checker,
            Duration pause) {
        ChangeWriter w = new ChangeWriter(pg, tables, checker, pause);
        for (String t : tables) {
            pg.execute(
                    "create table "
                            + t
                            + " (id int primary key, version bigint not null,"
                            + " payload text)");
            pg.execute(
                    "insert into "
                            + t
                            + " select g, "
                            + w.version
                            + " + g, 'seed'"
                            + " from generate_series(1, "
                            + seedRows
                            + ") g");
            Map<Integer, Long> rows = new HashMap<>();
            for (int id = 1; id <= seedRows; id++) {
                long v = ++w.version;
                rows.put(id, v);
                checker.expect(t, Integer.toString(id), Operation.SNAPSHOT, v);
            }
            w.live.put(t, rows);
            w.nextId.put(t, seedRows + 1);
        }
        return w;
    }

    public ChangeWriter start() {
        running = true;
        thread = new Thread(this::run, "change-writer");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void run() {
        try {
            Connection c = null;
            while (running) {
                if (c == null) {
                    c = connect();
                }
                List<Step> steps = nextTransaction();
                try {
                    apply(c, steps);
                    committed(steps, TestPostgres.walInsertPosition(c));
                } catch (SQLException e) {
                    failedCommits++;
                    closeQuietly(c);
                    c = connect();
                    if (wasCommitted(c, steps.get(0))) {
                        committed(steps, TestPostgres.walInsertPosition(c));
                    }
                }
                Thread.sleep(pause.toMillis());
            }
            closeQuietly(c);
        } catch (Throwable t) {
            failure = t;
        }
    }

    private List<Step> nextTransaction() {
        String table = tables.get(random.nextInt(tables.size()));
        Map<Integer, Long> rows = live.get(table);
        List<Integer> untouched = new ArrayList<>(rows.keySet());
        List<Step> steps = new ArrayList<>();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            int dice = random.nextInt(4);
            if (dice == 0 || untouched.size() < 10) {
                int id = nextId.merge(table, 1, Integer::sum) - 1;
                steps.add(new Step(table, id, Operation.INSERT, ++version));
            } else {
                int id = untouched.remove(random.nextInt(untouched.size()));
                Operation op = dice == 1 ? Operation.DELETE : Operation.UPDATE;
                steps.add(
                        new Step(table, id, op, op == Operation.DELETE ? rows.get(id) : ++version));
            }
        }
        return steps;
    }

    private static void apply(Connection c, List<Step> steps) throws SQLException {
        c.setAutoCommit(false);
        for (Step s : steps) {
            String sql =
                    switch (s.operation()) {
                        case INSERT ->
                                "insert into " + s.table() + " values (?, ?, md5(random()::text))";
                        case UPDATE ->
                                "update "
                                        + s.table()
                                        + " set version = ?, payload = md5(random()::text) where id = ?";
                        default -> "delete from " + s.table() + " where id = ? and version = ?";
                    };
            try (PreparedStatement st = c.prepareStatement(sql)) {
                if (s.operation() == Operation.UPDATE) {
                    st.setLong(1, s.version());
                    st.setInt(2, s.id());
                } else {
                    st.setInt(1, s.id());
                    st.setLong(2, s.version());
                }
                st.executeUpdate();
            }
        }
        c.commit();
    }

    /** After a failed commit: whether the transaction's first change is in the table. */
    private static boolean wasCommitted(Connection c, Step first) throws SQLException {
        try (PreparedStatement st =
                c.prepareStatement("select version from " + first.table() + " where id = ?")) {
            st.setInt(1, first.id());
            try (ResultSet rs = st.executeQuery()) {
                boolean exists = rs.next();
                return first.operation() == Operation.DELETE
                        ? !exists
                        : exists && rs.getLong(1) == first.version();
            }
        }
    }

    private void committed(List<Step> steps, long committedBefore) {
        transactions++;
        for (Step s : steps) {
            Map<Integer, Long> rows = live.get(s.table());
            if (s.operation() == Operation.DELETE) {
                rows.remove(s.id());
            } else {
                rows.put(s.id(), s.version());
            }
            checker.expect(
                    s.table(),
                    Integer.toString(s.id()),
                    s.operation(),
                    s.version(),
                    committedBefore);
        }
    }

    /** Connects, waiting while Postgres is down. */
    private Connection connect() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            try {
                return pg.connect();
            } catch (RuntimeException down) {
                if (System.nanoTime() > deadline) {
                    throw down;
                }
                Thread.sleep(200);
            }
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // the connection is gone already
        }
    }

    /** Stops after the transaction in progress; fails if the writer itself failed. */
    public void stop() throws InterruptedException {
        running = false;
        thread.join(Duration.ofMinutes(3).toMillis());
        if (failure != null) {
            throw new AssertionError("the change writer failed", failure);
        }
    }

    public String summary() {
        return transactions + " transactions committed (" + failedCommits + " interrupted)";
    }

    @Override
    public void close() throws InterruptedException {
        if (running) {
            stop();
        }
    }
}
