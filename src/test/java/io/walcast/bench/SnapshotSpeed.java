package io.walcast.bench;

import io.walcast.config.SourceConfig;
import io.walcast.testing.TestPostgres;
import java.io.OutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * Initial snapshot speed: walcast reading a table with its incremental snapshot (the default {@code
 * snapshot-split-size}, parallelism 2) into a discarding sink, against {@code COPY … TO STDOUT} of
 * the same table through pgjdbc into nowhere.
 */
final class SnapshotSpeed {
    static final String TABLE = "bench_snap";

    record Result(
            long rows,
            double copySeconds,
            double walcastSeconds,
            double walcastFirstToLastSeconds,
            double walcastCpuSeconds,
            double walcastJitSeconds,
            double walcastPeakRssMiB) {
        double copyRate() {
            return rows / copySeconds;
        }

        double walcastRate() {
            return rows / walcastSeconds;
        }
    }

    private SnapshotSpeed() {}

    static Result run(TestPostgres pg, Path work, int rows) throws Exception {
        System.err.printf("bench: snapshot speed, %d rows%n", rows);
        pg.execute(
                "create table "
                        + TABLE
                        + " (id bigint primary key, payload text, n numeric(12,2), at"
                        + " timestamptz)",
                "insert into "
                        + TABLE
                        + " select g, md5(g::text), g * 1.5, now() from generate_series(1, "
                        + rows
                        + ") g",
                // Hint bits set and statistics in place, so neither reader pays for them.
                "vacuum analyze " + TABLE);

        long t0 = System.nanoTime();
        long copied;
        try (Connection c = pg.connect()) {
            copied =
                    new CopyManager(c.unwrap(BaseConnection.class))
                            .copyOut(
                                    "COPY " + TABLE + " TO STDOUT",
                                    OutputStream.nullOutputStream());
        }
        double copySeconds = (System.nanoTime() - t0) / 1e9;
        if (copied != rows) {
            throw new IllegalStateException("COPY returned " + copied + " of " + rows + " rows");
        }

        WalcastConsumer walcast =
                new WalcastConsumer(
                        pg,
                        work,
                        "walcast snapshot",
                        "bench-snap",
                        TABLE,
                        "count",
                        // replaces the test job's 100-row chunks with walcast's default
                        "  snapshot-split-size: "
                                + SourceConfig.DEFAULT_SNAPSHOT_SPLIT_SIZE
                                + "\nsinks:\n  stdout: {}\n");
        try (ChildJvm job = walcast.start()) {
            long started = job.awaitStarted();
            Receipt.Progress p =
                    job.counted().await(rows, Duration.ofMinutes(30), job::ensureAlive);
            if (p.count() < rows) {
                throw new IllegalStateException("snapshot: " + p.count() + " of " + rows);
            }
            return new Result(
                    rows,
                    copySeconds,
                    (p.lastMillis() - started) / 1000.0,
                    (p.lastMillis() - p.firstMillis()) / 1000.0,
                    ProcStats.cpuSeconds(job.pid()) - job.startedCpuSeconds(),
                    job.jitSecondsSinceStarted(),
                    ProcStats.peakRssMiB(job.pid()));
        }
    }
}
