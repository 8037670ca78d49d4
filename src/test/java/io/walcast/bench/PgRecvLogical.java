package io.walcast.bench;

import io.walcast.testing.TestPostgres;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling: {@code pg_recvlogical} with pgoutput draining a backlog to nowhere — Postgres's own
 * logical decoding with a consumer that does nothing. Its output is scanned for the logical message
 * that follows the backlog ({@code --endpos} can stop it early: a keepalive past the position ends
 * it before a large transaction is decoded).
 */
final class PgRecvLogical {
    private PgRecvLogical() {}

    static String slot(Backlog backlog) {
        return backlog.table + "_recv";
    }

    static void createSlot(TestPostgres pg, Backlog backlog) {
        pg.execute(
                "select pg_create_logical_replication_slot('" + slot(backlog) + "', 'pgoutput')");
    }

    static DrainResult drain(TestPostgres pg, Backlog backlog, int events) throws Exception {
        System.err.printf("bench: draining %s with pg_recvlogical%n", backlog.label);
        List<String> command =
                List.of(
                        "pg_recvlogical",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(pg.port()),
                        "-U",
                        "postgres",
                        "-d",
                        "postgres",
                        "--slot",
                        slot(backlog),
                        "--start",
                        "--no-loop",
                        "-o",
                        "proto_version=1",
                        "-o",
                        "messages=true",
                        "-o",
                        "publication_names=" + backlog.table + "_pub",
                        "-f",
                        "-");
        long t0 = System.nanoTime();
        MachineCpu.Sample machine = MachineCpu.Sample.now();
        long first = 0;
        Process p =
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long walsender = -1;
        long bytes = 0;
        try (InputStream in = p.getInputStream()) {
            byte[] marker = Backlog.END_MARKER.getBytes(StandardCharsets.US_ASCII);
            byte[] buffer = new byte[1 << 16];
            byte[] window = new byte[0];
            int n;
            while ((n = in.read(buffer)) > 0) {
                bytes += n;
                if (walsender < 0) {
                    first = System.nanoTime();
                    walsender = Slots.activePid(pg, slot(backlog));
                }
                byte[] joined = Arrays.copyOf(window, window.length + n);
                System.arraycopy(buffer, 0, joined, window.length, n);
                if (indexOf(joined, marker) >= 0) {
                    break;
                }
                window =
                        Arrays.copyOfRange(
                                joined, Math.max(0, joined.length - marker.length), joined.length);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        // Both processes are still there (pg_recvlogical waits for more): read them first.
        DrainResult r =
                new DrainResult(
                        backlog.label,
                        "pg_recvlogical (ceiling)",
                        events,
                        events,
                        seconds,
                        (System.nanoTime() - first) / 1e9,
                        ProcStats.cpuSeconds(p.pid()),
                        Double.NaN,
                        ProcStats.cpuSeconds(walsender),
                        ProcStats.peakRssMiB(p.pid()),
                        MachineCpu.Window.between(machine, MachineCpu.Sample.now()));
        p.destroy();
        p.waitFor(1, TimeUnit.MINUTES);
        // The pgoutput messages of the backlog are megabytes: a short output means it stopped
        // early.
        if (bytes < events * 40L) {
            throw new IllegalStateException(
                    "pg_recvlogical received only " + bytes + " bytes for " + events + " events");
        }
        Slots.awaitInactive(pg, slot(backlog));
        return r;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
