package io.walcast.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What the whole machine's CPUs did over a drain, to read a consumer's rate against: how busy all
 * cores were (from {@code /proc/stat}), and the CPU seconds of the RabbitMQ broker ({@code
 * beam.smp}), which shares them with the consumer on a one-machine benchmark.
 */
final class MachineCpu {
    /** Busy and total jiffies of all CPUs, and the broker's CPU seconds, at one moment. */
    record Sample(long busy, long total, double brokerSeconds) {
        static Sample now() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length; i++) {
                    total += Long.parseLong(f[i]);
                }
                // idle and iowait are the columns 4 and 5 of the "cpu" line
                long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
                return new Sample(total - idle, total, brokerCpuSeconds());
            } catch (IOException | RuntimeException e) {
                return new Sample(0, 0, Double.NaN);
            }
        }
    }

    /** Between two samples: the share of all cores that were busy, and the broker's CPU seconds. */
    record Window(double busyShare, double brokerSeconds) {
        static Window between(Sample from, Sample to) {
            long total = to.total() - from.total();
            return new Window(
                    total > 0 ? (double) (to.busy() - from.busy()) / total : Double.NaN,
                    to.brokerSeconds() - from.brokerSeconds());
        }
    }

    private MachineCpu() {}

    private static double brokerCpuSeconds() throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(
                            p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(MachineCpu::isBroker)
                    .mapToDouble(
                            p -> ProcStats.cpuSeconds(Long.parseLong(p.getFileName().toString())))
                    .filter(s -> !Double.isNaN(s))
                    .sum();
        }
    }

    private static boolean isBroker(Path proc) {
        try {
            return Files.readString(proc.resolve("comm")).trim().equals("beam.smp");
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }
}
