package io.walcast.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time and peak resident memory of a process, read from Linux's {@code /proc}. CPU is {@code
 * utime + stime} of all the process's threads (children not included); peak RSS is {@code VmHWM}.
 */
final class ProcStats {
    /** Clock ticks per second of {@code /proc/<pid>/stat}: 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100;

    /** Lets {@link #compilerCpuSeconds} see every compiler thread's time. */
    static final String KEEP_COMPILER_THREADS = "-XX:-UseDynamicNumberOfCompilerThreads";

    private ProcStats() {}

    /** CPU seconds used so far, or NaN when the process is gone. */
    static double cpuSeconds(long pid) {
        return cpuSeconds(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** utime + stime of a {@code /proc/<pid>/stat} or {@code /proc/<pid>/task/<tid>/stat}. */
    private static double cpuSeconds(Path statFile) {
        try {
            String stat = Files.readString(statFile);
            // The command name (field 2) may contain spaces: count fields after its ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException gone) {
            return Double.NaN;
        }
    }

    /**
     * CPU seconds of the process's JIT compiler threads so far (HotSpot names them {@code C1
     * CompilerThread<n>} and {@code C2 CompilerThread<n>}; {@code
     * -XX:-UseDynamicNumberOfCompilerThreads} keeps them, and so their time, from going away).
     */
    static double compilerCpuSeconds(long pid) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return tasks.filter(ProcStats::isCompilerThread)
                    .mapToDouble(t -> cpuSeconds(t.resolve("stat")))
                    .filter(s -> !Double.isNaN(s))
                    .sum();
        } catch (IOException | RuntimeException gone) {
            return Double.NaN;
        }
    }

    private static boolean isCompilerThread(Path task) {
        try {
            String name = Files.readString(task.resolve("comm")).trim();
            return name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre");
        } catch (IOException | RuntimeException gone) {
            return false;
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
