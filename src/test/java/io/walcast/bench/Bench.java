package io.walcast.bench;

import io.walcast.testing.KinesisEmulator;
import io.walcast.testing.RabbitMqBroker;
import io.walcast.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/bench} (issue 8), in one run on one machine against an embedded Postgres: each WAL
 * backlog drained by {@code pg_recvlogical} (the ceiling), the bare Flink CDC source, walcast into
 * a discarding sink, into each real sink alone and all together (and Debezium Server with {@code
 * --peer}); then steady load with latency per sink and slot lag; then snapshot speed against COPY.
 * Each walcast run is its own JVM, so its CPU time and peak RSS are its own.
 */
public final class Bench {
    public static void main(String[] args) {
        try {
            run(BenchOptions.parse(args));
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1); // helper threads would keep the JVM alive
        }
    }

    static void run(BenchOptions options) throws Exception {
        switch (options.only() == null ? "" : options.only()) {
            case "kinesis" -> kinesisOnly(options);
            case "rabbitmq" -> rabbitMqOnly(options);
            case "steady" -> steadyOnly(options);
            case "snapshot" -> snapshotOnly(options);
            default -> everything(options);
        }
    }

    /** The whole benchmark: every backlog and consumer, steady loads, snapshot. */
    private static void everything(BenchOptions options) throws Exception {
        String startLoad = Report.loadAverage();
        Path work = workDirectory();
        List<String> notes = new ArrayList<>();
        boolean peer = peer(options, notes);
        List<Backlog> backlogs =
                List.of(Backlog.ONE_TRANSACTION, Backlog.ONE_ROW_TRANSACTIONS, Backlog.UPDATES);
        Map<String, Integer> streams = new LinkedHashMap<>();
        backlogs.forEach(b -> BacklogDrains.kinesisStreams(b).forEach(s -> streams.put(s, 2)));
        streams.put(SteadyLoad.name(SteadyLoad.KINESIS), 2);
        streams.put("bench-ceiling", 2);

        try (TestPostgres pg = TestPostgres.start();
                RabbitMqBroker broker = new RabbitMqBroker();
                KinesisEmulator kinesis = KinesisEmulator.start(streams)) {
            BacklogDrains drains =
                    new BacklogDrains(
                            pg,
                            broker,
                            kinesis,
                            work,
                            peer,
                            Duration.ofMinutes(options.drainMinutes()),
                            notes,
                            null);
            List<DrainResult> results = new ArrayList<>();
            for (Backlog b : backlogs) {
                results.addAll(drains.run(b, options.rows()));
            }
            double kinesisCeiling =
                    KinesisCeiling.measure(
                            kinesis, "bench-ceiling", Math.min(options.rows(), 10_000));
            double rabbitMqCeiling = RabbitMqCeiling.measure(broker, options.rows());

            List<SteadyLoad.Result> steady =
                    steadyLoads(
                            options,
                            List.of(SteadyLoad.RABBITMQ, SteadyLoad.KINESIS),
                            pg,
                            broker,
                            kinesis,
                            work,
                            results);
            SnapshotSpeed.Result snapshot = SnapshotSpeed.run(pg, work, options.snapshotRows());
            notes.addAll(NOTES);
            new Report(
                            options,
                            startLoad,
                            results,
                            kinesisCeiling,
                            rabbitMqCeiling,
                            steady,
                            snapshot,
                            notes)
                    .write();
        }
    }

    /** Whether the Debezium Server peer drains too; when asked for but missing, a note says why. */
    private static boolean peer(BenchOptions options, List<String> notes) {
        if (!options.peer()) {
            return false;
        }
        return DebeziumServerPeer.unavailable()
                .map(
                        why -> {
                            System.err.println("bench: no peer row: " + why);
                            notes.add("--peer: no Debezium Server row: " + why + ".");
                            return false;
                        })
                .orElse(true);
    }

    /** A new directory for the job definitions and logs of this run, named on standard error. */
    private static Path workDirectory() throws IOException {
        Path work = Files.createTempDirectory("walcast-bench");
        System.err.println("bench: work directory (job definitions, logs) " + work);
        return work;
    }

    /** Steady load into each of {@code sinks}, at half its drain rate unless --steady-rate. */
    private static List<SteadyLoad.Result> steadyLoads(
            BenchOptions options,
            List<String> sinks,
            TestPostgres pg,
            RabbitMqBroker broker,
            KinesisEmulator kinesis,
            Path work,
            List<DrainResult> drains)
            throws Exception {
        List<SteadyLoad.Result> steady = new ArrayList<>();
        for (String sink : sinks) {
            double rate =
                    options.steadyRate() > 0
                            ? options.steadyRate()
                            : 0.5 * walcastRate(drains, "walcast, " + sink);
            steady.add(
                    SteadyLoad.run(
                            pg,
                            broker,
                            kinesis,
                            work,
                            sink,
                            rate,
                            options.steadySeconds(),
                            options.steadyWarmupSeconds(),
                            options.checkpointInterval()));
        }
        return steady;
    }

    /**
     * {@code --only=steady}: the steady load into RabbitMQ alone (the sink with a latency target;
     * the emulator takes a tenth of its rate), reported like the full run's.
     */
    static void steadyOnly(BenchOptions options) throws Exception {
        String startLoad = Report.loadAverage();
        Path work = workDirectory();
        try (TestPostgres pg = TestPostgres.start();
                RabbitMqBroker broker = new RabbitMqBroker();
                KinesisEmulator kinesis =
                        KinesisEmulator.start(Map.of(SteadyLoad.name(SteadyLoad.KINESIS), 2))) {
            List<SteadyLoad.Result> steady =
                    steadyLoads(
                            options,
                            List.of(SteadyLoad.RABBITMQ),
                            pg,
                            broker,
                            kinesis,
                            work,
                            List.of());
            new Report(options, startLoad, List.of(), null, null, steady, null, List.of()).write();
        }
    }

    /**
     * {@code --only=rabbitmq}: the one-transaction and one-row-transactions backlogs drained by
     * {@code pg_recvlogical}, the bare source, walcast discarding and walcast into RabbitMQ (and
     * Debezium Server with {@code --peer}), read against the bare RabbitMQ client's rate.
     */
    static void rabbitMqOnly(BenchOptions options) throws Exception {
        String startLoad = Report.loadAverage();
        Path work = workDirectory();
        List<String> notes = new ArrayList<>();
        boolean peer = peer(options, notes);
        try (TestPostgres pg = TestPostgres.start();
                RabbitMqBroker broker = new RabbitMqBroker()) {
            BacklogDrains drains =
                    new BacklogDrains(
                            pg,
                            broker,
                            null,
                            work,
                            peer,
                            Duration.ofMinutes(options.drainMinutes()),
                            notes,
                            "rabbitmq");
            List<DrainResult> results = new ArrayList<>();
            for (Backlog b : List.of(Backlog.ONE_TRANSACTION, Backlog.ONE_ROW_TRANSACTIONS)) {
                results.addAll(drains.run(b, options.rows()));
            }
            double ceiling = RabbitMqCeiling.measure(broker, options.rows());
            notes.addAll(NOTES);
            new Report(options, startLoad, results, null, ceiling, List.of(), null, notes).write();
        }
    }

    /** {@code --only=snapshot}: the snapshot of {@code --snapshot-rows} rows against COPY. */
    static void snapshotOnly(BenchOptions options) throws Exception {
        String startLoad = Report.loadAverage();
        Path work = workDirectory();
        try (TestPostgres pg = TestPostgres.start()) {
            SnapshotSpeed.Result snapshot = SnapshotSpeed.run(pg, work, options.snapshotRows());
            new Report(options, startLoad, List.of(), null, null, List.of(), snapshot, List.of())
                    .write();
        }
    }

    /**
     * {@code --only=kinesis}: walcast into the Kinesis emulator on the one-transaction and
     * one-row-transactions backlogs, each read against the bare client's rate on the same emulator
     * measured just before and just after the drains (no broker, no steady load, no snapshot).
     */
    static void kinesisOnly(BenchOptions options) throws Exception {
        String startLoad = Report.loadAverage();
        Path work = workDirectory();
        List<Backlog> backlogs = List.of(Backlog.ONE_TRANSACTION, Backlog.ONE_ROW_TRANSACTIONS);
        Map<String, Integer> streams = new LinkedHashMap<>();
        backlogs.forEach(b -> BacklogDrains.kinesisStreams(b).forEach(s -> streams.put(s, 2)));
        streams.put("bench-ceiling-before", 2);
        streams.put("bench-ceiling-after", 2);
        // As many records as each drain puts: the emulator slows down as a stream fills.
        int ceilingRecords = options.rows();
        try (TestPostgres pg = TestPostgres.start();
                KinesisEmulator kinesis = KinesisEmulator.start(streams)) {
            BacklogDrains drains =
                    new BacklogDrains(
                            pg,
                            null,
                            kinesis,
                            work,
                            false,
                            Duration.ofMinutes(options.drainMinutes()),
                            new ArrayList<>(),
                            "kinesis");
            double before = KinesisCeiling.measure(kinesis, "bench-ceiling-before", ceilingRecords);
            List<DrainResult> results = new ArrayList<>();
            for (Backlog b : backlogs) {
                results.addAll(drains.run(b, options.rows()));
            }
            double after = KinesisCeiling.measure(kinesis, "bench-ceiling-after", ceilingRecords);
            double ceiling = (before + after) / 2;
            StringBuilder md = new StringBuilder();
            md.append(
                    String.format(
                            "walcast into the Kinesis emulator, %d rows per backlog, load average"
                                    + " %s at the start and %s at the end%n%n"
                                    + "bare client (500 records/request, 2 in flight, 2 shards):"
                                    + " %.0f records/s before the drains, %.0f after; ceiling ="
                                    + " their mean %.0f%n%n",
                            options.rows(),
                            startLoad,
                            Report.loadAverage(),
                            before,
                            after,
                            ceiling));
            md.append(
                    "| backlog | events | events/s (start → last) | events/s (first → last) |"
                            + " ratio to ceiling (start → last) | ratio to ceiling (first → last)"
                            + " |\n|---|---|---|---|---|---|\n");
            for (DrainResult r : results) {
                double firstToLast = r.events() / r.firstToLastSeconds();
                md.append(
                        String.format(
                                "| %s | %d%s | %.0f | %.0f | %.2f | %.2f |%n",
                                r.backlog(),
                                r.events(),
                                r.complete() ? "" : " of " + r.expected() + " (cut off)",
                                r.rate(),
                                firstToLast,
                                r.rate() / ceiling,
                                firstToLast / ceiling));
            }
            System.out.println(md);
        }
    }

    /** A consumer's one-row-transaction drain rate: what its steady load is half of. */
    static double walcastRate(List<DrainResult> results, String consumer) {
        return results.stream()
                .filter(
                        r ->
                                r.backlog().equals(Backlog.ONE_ROW_TRANSACTIONS.label)
                                        && r.consumer().equals(consumer))
                .findFirst()
                .orElseThrow()
                .rate();
    }

    /** What each figure is, printed under the tables. */
    static final List<String> NOTES =
            List.of(
                    "events/s (start → last): from the consumer's start (walcast: the job being"
                            + " built and restored from its checkpoint, JVM start-up excluded;"
                            + " pg_recvlogical and Debezium Server: process start) to the last"
                            + " event received; first → last leaves start-up out.",
                    "Received means read back from the sink's system: RabbitMQ queue depth of a"
                            + " queue bound with '#', Kinesis GetRecords on every shard, the"
                            + " Paimon history table's latest snapshot totalRecordCount (it"
                            + " commits on checkpoints, every 1 s here); the counting sink"
                            + " inside the walcast JVM for the discarding rows.",
                    "CPU s/100k consumer: utime+stime of the consumer process (all threads) over"
                            + " the drain, from /proc; walcast JVMs include Flink's start and"
                            + " restore. Of which JIT compiler: the CPU of the JVM's C1/C2"
                            + " compiler threads over the same time, the warm-up of a fresh JVM"
                            + " that a long-running TaskManager has behind it."
                            + " CPU s/100k walsender: the Postgres backend that decoded"
                            + " the WAL for that consumer. CPU s/100k broker: the RabbitMQ"
                            + " broker (beam.smp) over the same drain, the CPU it takes from the"
                            + " consumer on this one machine. All cores busy: the machine's"
                            + " non-idle share of all cores over the drain (/proc/stat). The"
                            + " emulator's and Paimon's file I/O costs are not counted.",
                    "Peak RSS: VmHWM of the consumer process (walcast: a JVM with -Xmx2g running a"
                            + " local MiniCluster, parallelism 2, RocksDB incremental"
                            + " checkpoints every 1 s as in conf/config.yaml).",
                    "Steady-load latency: the envelope's timestamp is the commit time with"
                            + " millisecond precision; receipt is the consumer's clock on the"
                            + " same machine (RabbitMQ: push consumer; Kinesis: GetRecords"
                            + " polled every 20 ms, sink buffer-time 200 ms, the default).");
}
