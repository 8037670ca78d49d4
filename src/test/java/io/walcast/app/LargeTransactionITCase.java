package io.walcast.app;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One huge transaction through the job run as a process with a 512 MiB heap: every row arrives, and
 * memory stays bounded (the decoder streams the transaction; nothing buffers it whole). 150k rows
 * always; 1M rows with {@code -Dwalcast.large=true}. Prints the heap and RSS figures.
 */
class LargeTransactionITCase {
    static final int ROWS = Boolean.getBoolean("walcast.large") ? 1_000_000 : 150_000;
    static final Pattern GC_PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

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
    void aHugeTransactionStreamsInBoundedMemory() throws Exception {
        pg.execute(
                "create table huge (id int primary key, version bigint not null, payload text)",
                "insert into huge values (0, 0, 'seed')");
        LossChecker checker = new LossChecker("version");
        checker.expect("huge", "0", Operation.SNAPSHOT, 0);
        for (int id = 1; id <= ROWS; id++) {
            checker.expect("huge", Integer.toString(id), Operation.INSERT, id);
        }
        Path job = dir.resolve("huge.yaml");
        Files.writeString(job, pg.jobYaml("huge", "public\\.huge", "sinks:\n  stdout: {}"));
        Path gcLog = dir.resolve("gc.log").toAbsolutePath();
        try (WalcastProcess walcast =
                WalcastProcess.start(
                        dir,
                        "huge",
                        Map.of(),
                        List.of("-Xmx512m", "-Xlog:gc:file=" + gcLog),
                        WalcastProcess.runLocal(job, dir.resolve("state")))) {
            walcast.await(e -> e.operation() == Operation.SNAPSHOT, 1, Duration.ofMinutes(3));
            long start = System.nanoTime();
            pg.execute(
                    "insert into huge select g, g, md5(g::text) from generate_series(1, "
                            + ROWS
                            + ") g");
            long deadline = start + Duration.ofMinutes(ROWS / 10_000).toNanos();
            while (walcast.stdoutLineCount() < ROWS + 1) {
                assertThat(walcast.isAlive()).as("walcast runs: " + walcast.stderr()).isTrue();
                assertThat(System.nanoTime()).as("all rows within the time").isLessThan(deadline);
                Thread.sleep(2000);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long peakRss = walcast.peakRssMib();
            checker.check("stdout", walcast.envelopes()).assertClean();
            long peakUsed = 0;
            long heapSize = 0;
            List<Long> live = new ArrayList<>();
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = GC_PAUSE.matcher(line);
                if (m.find()) {
                    peakUsed = Math.max(peakUsed, Long.parseLong(m.group(1)));
                    live.add(Long.parseLong(m.group(2)));
                    heapSize = Math.max(heapSize, Long.parseLong(m.group(3)));
                }
            }
            // Bounded means the live heap levels off instead of growing with the rows streamed.
            List<Long> liveByQuarter = new ArrayList<>();
            for (int q = 0; q < 4; q++) {
                liveByQuarter.add(
                        live.subList(q * live.size() / 4, (q + 1) * live.size() / 4).stream()
                                .mapToLong(Long::longValue)
                                .max()
                                .orElse(0));
            }
            System.out.printf(
                    "LARGE TRANSACTION %d rows in one transaction, delivered in %.0f s with"
                            + " -Xmx512m: heap used at most %d MiB before a GC; live after a GC,"
                            + " highest in each quarter of the run's %d GCs: %s MiB; heap size at"
                            + " most %d MiB; peak RSS %d MiB%n",
                    ROWS, seconds, peakUsed, live.size(), liveByQuarter, heapSize, peakRss);
            assertThat(heapSize).isPositive().isLessThanOrEqualTo(512);
        }
    }
}
