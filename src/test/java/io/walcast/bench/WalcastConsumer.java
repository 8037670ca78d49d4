package io.walcast.bench;

import io.walcast.app.LocalCheckpoints;
import io.walcast.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One walcast consumer of a backlog: its own job definition, slot and checkpoint directory. It is
 * primed before the backlog (started, snapshot of the table taken, checkpointed, killed), then
 * drains the backlog resumed from that checkpoint, as after an outage.
 */
final class WalcastConsumer {
    final String label;
    private final String name;
    private final String kind;
    private final Path yaml;
    private final Path checkpoints;
    private final Path logs;

    /**
     * @param kind {@code count}, {@code bare} or {@code sinks} (see {@link DrainJob})
     * @param yaml what the job definition adds under {@code source:}: sinks and other settings
     */
    WalcastConsumer(
            TestPostgres pg,
            Path work,
            String label,
            String name,
            String table,
            String kind,
            String yaml)
            throws Exception {
        this.label = label;
        this.name = name;
        this.kind = kind;
        this.yaml = work.resolve(name + ".yaml");
        this.checkpoints = Files.createDirectories(work.resolve(name + "-checkpoints"));
        this.logs = work;
        Files.writeString(this.yaml, pg.jobYaml(name, "public\\." + table, yaml));
    }

    String slot() {
        return "walcast_" + name.replace('-', '_');
    }

    ChildJvm start() throws Exception {
        return ChildJvm.start(yaml, checkpoints, kind, logs.resolve(name + ".log"));
    }

    /**
     * Runs the job until it has counted {@code snapshotRows} (counting kinds) and two checkpoints
     * completed after that, then kills it.
     */
    void prime(TestPostgres pg, long snapshotRows) throws Exception {
        System.err.printf("bench: priming %s%n", name);
        try (ChildJvm job = start()) {
            Slots.awaitActive(pg, slot(), job::ensureAlive);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            while (!kind.equals("sinks") && job.counted().poll().count() < snapshotRows) {
                job.ensureAlive();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + ": snapshot not done in 20 minutes");
                }
                Thread.sleep(100);
            }
            awaitCheckpoints(job, 2);
        }
        Slots.awaitInactive(pg, slot());
    }

    /**
     * Resumes from the primed checkpoint and waits until {@code receipt} saw every event, or {@code
     * cap} passed.
     */
    DrainResult drain(TestPostgres pg, String backlog, long events, Receipt receipt, Duration cap)
            throws Exception {
        System.err.printf("bench: draining %s with %s%n", backlog, label);
        try (ChildJvm job = start()) {
            Receipt counted = receipt == null ? job.counted() : receipt;
            long t0 = job.awaitStarted();
            MachineCpu.Sample machine = MachineCpu.Sample.now();
            long[] walsenderPid = {-1};
            Receipt.Progress p =
                    counted.await(
                            events,
                            cap,
                            () -> {
                                job.ensureAlive();
                                if (walsenderPid[0] < 0) {
                                    walsenderPid[0] = Slots.activePid(pg, slot());
                                }
                            });
            // Flink CDC reconnects after its first look at the slot: the walsender that streamed
            // the backlog is the one active now.
            long active = Slots.activePid(pg, slot());
            long walsender = active > 0 ? active : walsenderPid[0];
            DrainResult r =
                    new DrainResult(
                            backlog,
                            label,
                            events,
                            p.count(),
                            (p.lastMillis() - t0) / 1000.0,
                            (p.lastMillis() - p.firstMillis()) / 1000.0,
                            ProcStats.cpuSeconds(job.pid()) - job.startedCpuSeconds(),
                            job.jitSecondsSinceStarted(),
                            ProcStats.cpuSeconds(walsender),
                            ProcStats.peakRssMiB(job.pid()),
                            MachineCpu.Window.between(machine, MachineCpu.Sample.now()));
            job.close();
            Slots.awaitInactive(pg, slot());
            return r;
        }
    }

    /** Waits until {@code count} checkpoints completed from now on. */
    void awaitCheckpoints(ChildJvm job, int count) throws Exception {
        long since = System.currentTimeMillis();
        Set<String> completed = new HashSet<>();
        for (int i = 0; i < 1200 && completed.size() < count; i++) {
            job.ensureAlive();
            try (Stream<Path> files =
                    Files.find(
                            checkpoints,
                            4,
                            (p, a) -> p.getFileName().toString().equals("_metadata"))) {
                files.filter(p -> p.toFile().lastModified() >= since)
                        .forEach(p -> completed.add(p.getParent().toString()));
            } catch (java.io.UncheckedIOException subsumedMeanwhile) {
                // Flink deleted an older checkpoint while we listed
            }
            Thread.sleep(100);
        }
        if (completed.size() < count || LocalCheckpoints.latest(checkpoints).isEmpty()) {
            throw new IllegalStateException(name + ": no checkpoint completed");
        }
    }
}
