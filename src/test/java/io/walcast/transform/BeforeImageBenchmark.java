package io.walcast.transform;

import io.walcast.app.WalcastJob;
import io.walcast.config.JobConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import io.walcast.envelope.RowImageSerializer;
import io.walcast.sink.EnvelopeSink;
import io.walcast.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.util.MiniClusterWithClientResource;

/**
 * Run by hand, not by the build: the cost of state-based before-images. For each mode it snapshots
 * a table of {@code ROWS} rows, then commits {@code UPDATES} updates in one transaction (a backlog)
 * and measures first → last update at the sink, and the checkpointed state size. RocksDB with
 * incremental checkpoints, parallelism 2, as in {@code conf/config.yaml}.
 *
 * <pre>
 * mvn -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) \
 *     io.walcast.transform.BeforeImageBenchmark [rows] [rounds] [pairs of runs]
 * </pre>
 */
public final class BeforeImageBenchmark {
    static final AtomicLong UPDATES_SEEN = new AtomicLong();
    static final AtomicLong SNAPSHOT_SEEN = new AtomicLong();
    static final AtomicLong FIRST_NANOS = new AtomicLong();
    static final AtomicLong LAST_NANOS = new AtomicLong();
    static final AtomicLong IMAGE_BYTES = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path checkpoints = Files.createTempDirectory("walcast-bench");
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", "rocksdb");
        conf.setString("execution.checkpointing.incremental", "true");
        conf.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        conf.setString("taskmanager.memory.managed.size", "256m");
        MiniClusterWithClientResource flink =
                new MiniClusterWithClientResource(
                        new MiniClusterResourceConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumberTaskManagers(1)
                                .setNumberSlotsPerTaskManager(4)
                                .build());
        flink.before();
        try (TestPostgres pg = TestPostgres.start()) {
            pg.execute(
                    "create table bench (id int primary key, v int, name text, payload text,"
                            + " updated_at timestamptz)",
                    "insert into bench select i, 0, 'name ' || i, repeat(md5(i::text), 3), now()"
                            + " from generate_series(1, "
                            + rows
                            + ") i");
            String[] modes = new String[pairs * 2];
            for (int p = 0; p < pairs; p++) {
                modes[2 * p] = "none";
                modes[2 * p + 1] = "state";
            }
            double[] rate = new double[modes.length];
            long[] stateBytes = new long[modes.length];
            for (int i = 0; i < modes.length; i++) {
                Result r = run(flink.getMiniCluster(), conf, pg, modes[i], i, rows, rounds);
                rate[i] = r.perSecond;
                stateBytes[i] = r.stateBytes;
                System.out.printf(
                        "RESULT run=%d previous=%s updates=%d seconds=%.2f updates_per_s=%.0f"
                                + " checkpoint_state_bytes=%d%n",
                        i, modes[i], r.updates, r.seconds, r.perSecond, r.stateBytes);
            }
            double none = 0;
            double state = 0;
            double extra = 0;
            for (int p = 0; p < pairs; p++) {
                none += rate[2 * p] / pairs;
                state += rate[2 * p + 1] / pairs;
                extra += (double) (stateBytes[2 * p + 1] - stateBytes[2 * p]) / pairs;
            }
            System.out.printf(
                    "SUMMARY rows=%d updates=%d none=%.0f/s state=%.0f/s ratio(state/none)=%.2f"
                            + " checkpointed_state_bytes_per_row=%.1f"
                            + " serialized_image_bytes_per_row=%.1f%n",
                    rows,
                    rows * rounds,
                    none,
                    state,
                    state / none,
                    extra / rows,
                    (double) IMAGE_BYTES.get() / (rows * modes.length));
        } finally {
            flink.after();
        }
    }

    record Result(long updates, double seconds, double perSecond, long stateBytes) {}

    static Result run(
            MiniCluster cluster,
            Configuration conf,
            TestPostgres pg,
            String mode,
            int run,
            int rows,
            int rounds)
            throws Exception {
        UPDATES_SEEN.set(0);
        SNAPSHOT_SEEN.set(0);
        FIRST_NANOS.set(0);
        LAST_NANOS.set(0);
        JobConfig job =
                pg.job(
                        "bench" + run,
                        "public\\.bench",
                        "  snapshot-split-size: 10000\nprevious:\n  default: "
                                + mode
                                + "\nsinks:\n  stdout: {}");
        TestStreamEnvironment.setAsContext(cluster, 2);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(2000, CheckpointingMode.EXACTLY_ONCE);
        env.getConfig().disableGenericTypes();
        WalcastJob.build(env, job, WalcastJob.prepare(job), List.of(new CountingSink()));
        JobClient client = env.executeAsync(job.name());
        try {
            waitFor(() -> SNAPSHOT_SEEN.get() >= rows, 600);
            Thread.sleep(5000); // a checkpoint after the snapshot
            int expected = rows * rounds;
            StringBuilder tx = new StringBuilder("begin;");
            for (int r = 0; r < rounds; r++) {
                tx.append("update bench set v = v + 1, updated_at = now();");
            }
            tx.append("commit;");
            pg.execute(tx.toString());
            waitFor(() -> UPDATES_SEEN.get() >= expected, 1200);
            double seconds = (LAST_NANOS.get() - FIRST_NANOS.get()) / 1e9;
            long checkpointsBefore = completed(cluster, client.getJobID());
            waitFor(() -> completed(cluster, client.getJobID()) >= checkpointsBefore + 2, 120);
            CompletedCheckpointStats latest =
                    cluster.getExecutionGraph(client.getJobID())
                            .get()
                            .getCheckpointStatsSnapshot()
                            .getHistory()
                            .getLatestCompletedCheckpoint();
            return new Result(
                    UPDATES_SEEN.get(), seconds, expected / seconds, latest.getStateSize());
        } finally {
            client.cancel().get();
            TestStreamEnvironment.unsetAsContext();
            dropSlot(pg, "walcast_bench" + run);
        }
    }

    /** A retained slot would keep WAL for the next run: drop it once the job let go of it. */
    static void dropSlot(TestPostgres pg, String slot) throws InterruptedException {
        for (int attempt = 0; attempt < 60; attempt++) {
            try {
                pg.execute("select pg_drop_replication_slot('" + slot + "')");
                return;
            } catch (IllegalStateException e) {
                Thread.sleep(500);
            }
        }
    }

    static long completed(MiniCluster cluster, JobID job) {
        try {
            return cluster.getExecutionGraph(job)
                    .get()
                    .getCheckpointStatsSnapshot()
                    .getCounts()
                    .getNumberOfCompletedCheckpoints();
        } catch (Exception e) {
            return 0;
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void waitFor(Condition c, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + seconds + " s");
            }
            Thread.sleep(50);
        }
    }

    /** Renders each envelope's JSON like a real sink would, counts, and discards. */
    static final class CountingSink implements EnvelopeSink {
        @Override
        public String name() {
            return "counting";
        }

        @Override
        public void attach(DataStream<ChangeEnvelope> envelopes) {
            envelopes.map(new Count()).name("count").sinkTo(new DiscardingSink<>());
        }
    }

    /** What one row costs in state before RocksDB: map key plus serialized image. */
    static long imageBytes(ChangeEnvelope e) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            out.writeUTF(e.key().json(0));
            RowImageSerializer.INSTANCE.serialize(e.current(), out);
            return out.length();
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    static final class Count implements MapFunction<ChangeEnvelope, Integer> {
        @Override
        public Integer map(ChangeEnvelope e) {
            int size = e.json().length;
            if (e.operation() == Operation.SNAPSHOT) {
                SNAPSHOT_SEEN.incrementAndGet();
                IMAGE_BYTES.addAndGet(imageBytes(e));
            } else if (e.operation() == Operation.UPDATE) {
                long now = System.nanoTime();
                FIRST_NANOS.compareAndSet(0, now);
                UPDATES_SEEN.incrementAndGet();
                LAST_NANOS.set(now);
            }
            return size;
        }
    }
}
