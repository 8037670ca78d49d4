package io.walcast.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and peak resident memory of a process, read from Linux's {@code /proc}. CPU is {@code
 * utime + stime} of all the process's threads (children not included); peak RSS is {@code VmHWM}.
 */
final class ProcStats {
    /** Clock ticks per second of {@code /proc/<pid>/stat}: 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100;

    private ProcStats() {}

    /** CPU seconds used so far, or NaN when the process is gone. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may contain spaces: count fields after its ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException gone) {
            return Double.NaN;
        }
    }

    /** Peak resident set size in MiB, or NaN when the process is gone. */
    static double peakRssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException gone) {
            // fall through
        }
        return Double.NaN;
    }
}
