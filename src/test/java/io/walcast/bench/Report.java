package io.walcast.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The benchmark's tables: printed, and written as markdown and JSON under bench/results/. */
final class Report {
    private final BenchOptions options;
    private final String startLoad;
    private final List<DrainResult> drains;
    private final Double kinesisCeiling;
    private final Double rabbitMqCeiling;
    private final List<SteadyLoad.Result> steady;
    private final SnapshotSpeed.Result snapshot;
    private final List<String> notes;

    Report(
            BenchOptions options,
            String startLoad,
            List<DrainResult> drains,
            Double kinesisCeiling,
            Double rabbitMqCeiling,
            List<SteadyLoad.Result> steady,
            SnapshotSpeed.Result snapshot,
            List<String> notes) {
        this.options = options;
        this.startLoad = startLoad;
        this.drains = drains;
        this.kinesisCeiling = kinesisCeiling;
        this.rabbitMqCeiling = rabbitMqCeiling;
        this.steady = steady;
        this.snapshot = snapshot;
        this.notes = notes;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "?";
        }
    }

    void write() throws Exception {
        String md = markdown();
        System.out.println(md);
        Path dir = Files.createDirectories(Path.of("bench", "results"));
        String stamp = Instant.now().toString().replace(':', '-');
        Files.writeString(dir.resolve("bench-" + stamp + ".md"), md);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("bench-" + stamp + ".json").toFile(), json());
        System.err.println("bench: results written to " + dir.toAbsolutePath());
    }

    private DrainResult ceiling(DrainResult r) {
        return drains.stream()
                .filter(c -> c.backlog().equals(r.backlog()) && c.consumer().startsWith("pg_recv"))
                .findFirst()
                .orElseThrow();
    }

    private String markdown() {
        StringBuilder md = new StringBuilder();
        md.append(
                f(
                        "walcast benchmark, %s: %d rows per backlog, %d cores, load average %s at"
                                + " the start and %s at the end%n%n",
                        Instant.now(),
                        options.rows(),
                        Runtime.getRuntime().availableProcessors(),
                        startLoad,
                        loadAverage()));
        md.append(
                "| backlog | consumer | events | events/s (start → last) | events/s (first →"
                        + " last) | ratio to ceiling | CPU s/100k consumer | of which JIT compiler"
                        + " | CPU s/100k walsender"
                        + " | CPU s/100k broker | all cores busy | peak RSS MiB |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (DrainResult r : drains) {
            md.append(
                    f(
                            "| %s | %s | %d | %.0f | %.0f | %.2f | %.2f | %s | %.2f | %.2f | %.0f %% |"
                                    + " %.0f"
                                    + " |%n",
                            r.backlog(),
                            r.complete()
                                    ? r.consumer()
                                    : f(
                                            "%s (partial: %d of %d within the time cap)",
                                            r.consumer(), r.events(), r.expected()),
                            r.events(),
                            r.rate(),
                            r.events() / r.firstToLastSeconds(),
                            r.rate() / ceiling(r).rate(),
                            r.consumerCpuPer100k(),
                            Double.isNaN(r.jitPer100k()) ? "" : f("%.2f", r.jitPer100k()),
                            r.walsenderCpuPer100k(),
                            r.brokerCpuPer100k(),
                            100 * r.machine().busyShare(),
                            r.peakRssMiB()));
        }
        if (kinesisCeiling != null) {
            md.append(
                    f(
                            "%nKinesis emulator alone (bare PutRecords client, 500 per request, 2"
                                    + " in flight): %.0f records/s%n",
                            kinesisCeiling));
        }
        if (rabbitMqCeiling != null) {
            md.append(
                    f(
                            "%nRabbitMQ broker alone (bare client, messages shaped like walcast's,"
                                    + " persistent, 2 connections with confirms, 10,000 in flight"
                                    + " each): %.0f messages/s%n",
                            rabbitMqCeiling));
        }
        for (SteadyLoad.Result run : steady) {
            md.append(
                    f(
                            "%nSteady load into %s: pgbench -R %.0f (50 %% of its one-row-transaction"
                                    + " drain rate unless --steady-rate) for %d s after %d s of"
                                    + " warm-up, checkpoints every %s: %d transactions, %.0f tps%n%n",
                            run.sink(),
                            run.targetRate(),
                            run.seconds(),
                            run.warmupSeconds(),
                            options.checkpointInterval(),
                            run.transactions(),
                            run.pgbenchTps()));
            md.append(
                    "| sink | received | commit → receipt p50 ms | p99 ms | max ms |\n"
                            + "|---|---|---|---|---|\n");
            for (SteadyLoad.Latency l : run.latencies()) {
                md.append(
                        f(
                                "| %s | %d | %d | %d | %d |%n",
                                l.sink(), l.received(), l.p50(), l.p99(), l.max()));
            }
            SteadyLoad.Latency w = run.warmup();
            md.append(
                    f(
                            "%np99 ms by %d s window of the measured run: %s. Warm-up (not in the"
                                    + " table): %d received, p50 %d ms, p99 %d ms, max %d ms%n",
                            SteadyLoad.WINDOW_SECONDS,
                            run.windowP99().stream()
                                    .map(String::valueOf)
                                    .collect(Collectors.joining(", ")),
                            w.received(),
                            w.p50(),
                            w.p99(),
                            w.max()));
            md.append(
                    f(
                            "%nSlot lag (sampled every second): max %.1f MiB (first half %.1f,"
                                    + " second half %.1f), %.1f MiB after the load; bounded: %s%n",
                            run.maxLagBytes() / 1048576.0,
                            run.maxLagFirstHalf() / 1048576.0,
                            run.maxLagSecondHalf() / 1048576.0,
                            run.endLagBytes() / 1048576.0,
                            run.lagBounded() ? "yes" : "no"));
        }
        if (snapshot != null) {
            md.append(
                    f(
                            "%n| snapshot | rows | seconds | rows/s (start → last) | rows/s (first →"
                                    + " last) | ratio to COPY | CPU s/100k | of which JIT compiler |"
                                    + " peak RSS MiB |%n"
                                    + "|---|---|---|---|---|---|---|---|---|%n"
                                    + "| COPY … TO STDOUT (pgjdbc) | %d | %.2f | %.0f | | 1.00 | | |"
                                    + " |%n"
                                    + "| walcast initial snapshot, discarding sink | %d | %.2f |"
                                    + " %.0f | %.0f | %.2f | %.2f | %.2f | %.0f |%n",
                            snapshot.rows(),
                            snapshot.copySeconds(),
                            snapshot.copyRate(),
                            snapshot.rows(),
                            snapshot.walcastSeconds(),
                            snapshot.walcastRate(),
                            snapshot.rows() / snapshot.walcastFirstToLastSeconds(),
                            snapshot.walcastRate() / snapshot.copyRate(),
                            snapshot.walcastCpuSeconds() * 100_000 / snapshot.rows(),
                            snapshot.walcastJitSeconds() * 100_000 / snapshot.rows(),
                            snapshot.walcastPeakRssMiB()));
        }
        md.append("\n");
        notes.forEach(n -> md.append("- ").append(n).append('\n'));
        return md.toString();
    }

    private Map<String, Object> json() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("time", Instant.now().toString());
        root.put("options", options);
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("load_average_start", startLoad);
        root.put("load_average_end", loadAverage());
        root.put(
                "drains",
                drains.stream()
                        .map(
                                r -> {
                                    Map<String, Object> m = new LinkedHashMap<>();
                                    m.put("backlog", r.backlog());
                                    m.put("consumer", r.consumer());
                                    m.put("expected_events", r.expected());
                                    m.put("events", r.events());
                                    m.put("complete", r.complete());
                                    m.put("seconds", r.seconds());
                                    m.put("first_to_last_seconds", r.firstToLastSeconds());
                                    m.put("events_per_second", r.rate());
                                    m.put("ratio_to_ceiling", r.rate() / ceiling(r).rate());
                                    m.put("cpu_seconds_consumer", r.consumerCpuSeconds());
                                    m.put("cpu_seconds_walsender", r.walsenderCpuSeconds());
                                    m.put("peak_rss_mib", r.peakRssMiB());
                                    return m;
                                })
                        .toList());
        root.put("kinesis_emulator_bare_records_per_second", kinesisCeiling);
        root.put("rabbitmq_bare_messages_per_second", rabbitMqCeiling);
        root.put("steady", steady);
        root.put("snapshot", snapshot);
        root.put("notes", notes);
        return root;
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
