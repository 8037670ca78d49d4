package io.walcast.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.config.JobConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.testing.CollectedEnvelopes;
import io.walcast.testing.TestJobs;
import io.walcast.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations metrics as an operator sees them, read through the MiniCluster's REST API: the
 * slot-lag gauge grows while the job is stopped and falls once it runs again, the commit-to-sink
 * latency histogram and the per-resource event counters fill up.
 */
class OpsMetricsITCase {
    static Configuration config() {
        Configuration c = new Configuration();
        c.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(500));
        return c;
    }

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .setConfiguration(config())
                            .build());

    static final long MB = 1024 * 1024;
    static TestPostgres pg;
    @TempDir static Path tmp;

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
        pg.execute(
                "create table items (id int primary key, v text)",
                "insert into items values (1, 'one')",
                "create table filler (id int, pad text)");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @Test
    void slotLagGrowsWhileStoppedAndFallsAfterLatencyAndEventsAreMeasured() throws Exception {
        JobConfig job =
                pg.job(
                        "metrics",
                        "public\\.items",
                        String.join(
                                "\n",
                                "  slot-lag-poll: 500ms",
                                "  slot-lag-alarm-mb: 8",
                                "sinks:",
                                "  stdout: {}"));
        FlinkRest rest =
                new FlinkRest(
                        "http://localhost:" + FLINK.getClientConfiguration().get(RestOptions.PORT));

        CollectedEnvelopes out = new CollectedEnvelopes();
        JobClient first = TestJobs.start(job, List.of(out));
        out.start();
        out.await(ChangeEnvelope::snapshot, 1, Duration.ofMinutes(3));
        for (int i = 2; i <= 21; i++) {
            pg.execute("insert into items values (" + i + ", 'v" + i + "')");
        }
        out.await(e -> !e.snapshot(), 20, Duration.ofMinutes(3));
        String jobId = first.getJobID().toString();

        Map<String, String> latency =
                await(rest, jobId, "commitToSinkLatencyMs", m -> m.size() > 0, "latency");
        Map<String, String> events =
                await(
                        rest,
                        jobId,
                        "numEvents",
                        m -> sum(m, "items.operation.insert") >= 20,
                        "20 inserts counted");
        assertThat(sum(events, "items.operation.snapshot")).isEqualTo(1);
        // The histogram's statistics: commit to sink within a minute on a loaded box, never
        // negative.
        double max =
                latency.entrySet().stream()
                        .filter(e -> e.getKey().endsWith("commitToSinkLatencyMs_max"))
                        .mapToDouble(e -> Double.parseDouble(e.getValue()))
                        .max()
                        .orElseThrow(() -> new AssertionError("no _max in " + latency));
        assertThat(max).as("latency max ms " + latency).isBetween(0.0, 60_000.0);
        assertThat(latency.keySet()).anyMatch(k -> k.contains("latency-collect"));
        Map<String, String> running =
                await(rest, jobId, "currentSlotLagBytes", m -> lag(m) >= 0, "a lag reading");
        long lagWhileRunning = lag(running);

        String savepoint =
                first.stopWithSavepoint(
                                false, tmp.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
        out.close();
        pg.execute(
                "insert into filler select g, repeat(md5(g::text), 40) from generate_series(1,"
                        + " 40000) g");
        long lagStopped =
                Long.parseLong(
                        pg.queryOne(
                                "select (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint from"
                                        + " pg_replication_slots where slot_name ="
                                        + " 'walcast_metrics'"));
        assertThat(lagStopped).as("lag in Postgres while stopped").isGreaterThan(20 * MB);
        long afterFiller =
                Long.parseLong(pg.queryOne("select (pg_current_wal_lsn() - '0/0')::bigint"));

        Configuration resume = new Configuration();
        resume.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(resume);
        env.setParallelism(2);
        // Checkpoints far apart, so the high reading before the first one is seen.
        env.enableCheckpointing(15_000, CheckpointingMode.EXACTLY_ONCE);
        env.getConfig().disableGenericTypes();
        CollectedEnvelopes again = new CollectedEnvelopes();
        JobClient second = TestJobs.start(env, job, List.of(again));
        again.start();
        try {
            String secondId = second.getJobID().toString();
            Map<String, String> high =
                    await(
                            rest,
                            secondId,
                            "currentSlotLagBytes",
                            m -> lag(m) > 20 * MB,
                            "the lag built up while stopped");
            assertThat(lag(high)).isGreaterThan(lagWhileRunning);
            assertThat(sum(rest.metrics(secondId, "currentSlotLagAlarm"), "currentSlotLagAlarm"))
                    .as("alarm above slot-lag-alarm-mb")
                    .isIn(0L, 1L);
            // A captured change after the filler: confirming it moves the slot past the filler.
            // (The restored collect sink does not hand results to a new client, so the envelope
            // itself is not awaited here; the slot moving is the proof it was read.)
            pg.execute("insert into items values (100, 'after the pause')");
            Map<String, String> low =
                    await(
                            rest,
                            secondId,
                            "currentSlotLagBytes",
                            m -> lag(m) >= 0 && lag(m) < 2 * MB,
                            "the lag falling after checkpoints confirm the WAL");
            assertThat(lag(low)).isLessThan(lag(high));
            assertThat(pg.confirmedFlushLsn("walcast_metrics")).isGreaterThan(afterFiller);
        } finally {
            second.cancel().get();
            again.close();
        }
    }

    private static long lag(Map<String, String> m) {
        return m.entrySet().stream()
                .filter(e -> e.getKey().endsWith("currentSlotLagBytes"))
                .mapToLong(e -> Long.parseLong(e.getValue()))
                .max()
                .orElse(-1);
    }

    private static long sum(Map<String, String> m, String part) {
        return m.entrySet().stream()
                .filter(e -> e.getKey().contains(part))
                .mapToLong(e -> (long) Double.parseDouble(e.getValue()))
                .sum();
    }

    private static Map<String, String> await(
            FlinkRest rest,
            String jobId,
            String metric,
            Predicate<Map<String, String>> until,
            String what)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        Map<String, String> last = Map.of();
        while (System.nanoTime() < deadline) {
            last = rest.metrics(jobId, metric);
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("waited 3 minutes for " + what + "; last " + metric + ": " + last);
    }
}
