package io.walcast.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Watches that a replication slot's {@code confirmed_flush_lsn} never runs ahead of the last
 * completed checkpoint of the job, across kills and restarts. A thread polls, in this order, the
 * slot, the job's checkpoint directory and the WAL end: a checkpoint's {@code _metadata} appears
 * when it completes, so the WAL end read just after seeing it first bounds what the checkpoint
 * covers (the source took its position before). Because the slot is read before the directory, a
 * slot that moved on a completed checkpoint always finds that checkpoint already seen.
 *
 * <p>One move ahead is harmless, and a test declares where it can happen with {@link
 * #harmlessWithin}: while Postgres decodes a large transaction it sends keepalives with positions
 * inside it, and the JDBC driver, having nothing unflushed, confirms them. The transaction commits
 * after such a position, so Postgres sends all of it again.
 */
public final class SlotWatch implements AutoCloseable {
    private record Sample(long confirmed, int completedCheckpoints) {}

    private final TestPostgres pg;
    private final String slot;
    private final Path checkpoints;
    private final List<Sample> samples = new ArrayList<>();
    private final List<Long> completedBounds = new ArrayList<>();
    private final List<Path> completed = new ArrayList<>();
    private final List<long[]> harmless = new ArrayList<>();
    private long lastCompletedNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private Long initial;

    /** Starts watching {@code slot} and the checkpoints anywhere under {@code checkpoints}. */
    public SlotWatch(TestPostgres pg, String slot, Path checkpoints) {
        this.pg = pg;
        this.slot = slot;
        this.checkpoints = checkpoints;
        this.thread = new Thread(this::run, "slot-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            try (Connection c = pg.connect();
                    Statement st = c.createStatement()) {
                while (running) {
                    poll(st);
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | SQLException postgresDown) {
                sleep();
            }
        }
    }

    private void poll(Statement st) throws SQLException {
        Long confirmed =
                one(
                        st,
                        "select (confirmed_flush_lsn - '0/0')::bigint from pg_replication_slots"
                                + " where slot_name = '"
                                + slot
                                + "'");
        List<Path> directories = checkpointDirectories();
        if (directories == null) {
            return; // not knowing every completed checkpoint, the sample proves nothing
        }
        long walEnd = one(st, "select (pg_current_wal_lsn() - '0/0')::bigint");
        synchronized (this) {
            for (Path chk : directories) {
                if (!completed.contains(chk) && Files.exists(chk.resolve("_metadata"))) {
                    completed.add(chk);
                    completedBounds.add(walEnd);
                    lastCompletedNanos = System.nanoTime();
                }
            }
            if (confirmed != null) {
                if (initial == null) {
                    initial = confirmed;
                }
                samples.add(new Sample(confirmed, completedBounds.size()));
            }
        }
    }

    /** The {@code chk-N} directories, or null when they could not be listed. */
    private List<Path> checkpointDirectories() {
        if (!Files.isDirectory(checkpoints)) {
            return List.of();
        }
        try (Stream<Path> files =
                Files.find(
                        checkpoints,
                        4,
                        (p, a) ->
                                a.isDirectory() && p.getFileName().toString().startsWith("chk-"))) {
            return files.toList();
        } catch (IOException | UncheckedIOException e) {
            return null; // a checkpoint was removed while listing
        }
    }

    private static Long one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                return null;
            }
            long value = rs.getLong(1);
            return rs.wasNull() ? null : value;
        }
    }

    /**
     * Positions from {@code from} up to {@code beforeCommit} (read in the transaction before its
     * commit record was written) are no violation: no captured change commits in there.
     */
    public synchronized void harmlessWithin(long from, long beforeCommit) {
        harmless.add(new long[] {from, beforeCommit});
    }

    /**
     * Slot positions seen ahead of what the completed checkpoints can cover (the WAL end when the
     * newest one completed; before any, the slot's first position).
     */
    public synchronized List<String> violations() {
        List<String> found = new ArrayList<>();
        for (long[] ahead : ahead()) {
            if (!harmless(ahead[0])) {
                found.add("confirmed_flush_lsn " + ahead[0] + " ahead of " + ahead[1]);
            }
        }
        return found;
    }

    /** {confirmed, bound} of every sample ahead of its bound, harmless ones included. */
    private List<long[]> ahead() {
        List<long[]> found = new ArrayList<>();
        for (Sample s : samples) {
            long bound =
                    s.completedCheckpoints() == 0
                            ? initial
                            : completedBounds.subList(0, s.completedCheckpoints()).stream()
                                    .mapToLong(Long::longValue)
                                    .max()
                                    .orElseThrow();
            if (s.confirmed() > bound) {
                found.add(new long[] {s.confirmed(), bound});
            }
        }
        return found;
    }

    private boolean harmless(long confirmed) {
        return harmless.stream().anyMatch(r -> confirmed >= r[0] && confirmed <= r[1]);
    }

    /** The slot's {@code confirmed_flush_lsn} now. */
    public long confirmed() {
        return Long.parseLong(
                pg.queryOne(
                        "select (confirmed_flush_lsn - '0/0')::bigint from pg_replication_slots"
                                + " where slot_name = '"
                                + slot
                                + "'"));
    }

    /** The figures, to quote them. */
    public synchronized String summary() {
        long moves = 0;
        for (int i = 1; i < samples.size(); i++) {
            if (samples.get(i).confirmed() != samples.get(i - 1).confirmed()) {
                moves++;
            }
        }
        String newest =
                completed.isEmpty()
                        ? "none yet"
                        : (System.nanoTime() - lastCompletedNanos) / 1_000_000_000 + " s ago";
        long harmlessAhead = ahead().stream().filter(a -> harmless(a[0])).count();
        return String.format(
                "slot %s: %d samples, %d completed checkpoints (newest %s), advanced %d times, %d"
                        + " samples ahead of the last completed checkpoint (and %d more inside a"
                        + " transaction that commits after that position: harmless)",
                slot,
                samples.size(),
                completed.size(),
                newest,
                moves,
                violations().size(),
                harmlessAhead);
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }
}
