package io.walcast.bench;

import io.walcast.app.LocalCheckpoints;
import io.walcast.app.Sinks;
import io.walcast.app.WalcastJob;
import io.walcast.config.JobConfig;
import io.walcast.source.CapturedTable;
import io.walcast.source.PostgresSources;
import io.walcast.testing.CountingSink;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One walcast consumer in its own JVM (so its CPU time and peak RSS are its own): {@code DrainJob
 * <job.yaml> <checkpoint dir> count|bare|sinks}. It resumes from the newest checkpoint in the
 * directory if there is one, and runs until killed. {@code count} is the walcast graph into a
 * discarding {@link CountingSink}; {@code bare} is the same Flink CDC source with a deserializer
 * that only counts data changes, into the same sink (the limit outside walcast); {@code sinks} is
 * the graph into the job definition's sinks. Standard output carries {@code started <epoch ms>
 * <process CPU s>} and, for the counting kinds, {@code count <n> <epoch ms of the first> <epoch ms
 * of the last>} lines.
 */
public final class DrainJob {
    public static void main(String[] args) throws Exception {
        JobConfig job = JobConfig.parse(Files.readString(Path.of(args[0])), args[0], Map.of());
        Path checkpoints = Path.of(args[1]);
        String kind = args[2];
        Optional<Path> restore = LocalCheckpoints.latest(checkpoints);
        System.out.printf(
                "started %d %.3f%n",
                System.currentTimeMillis(),
                ((com.sun.management.OperatingSystemMXBean)
                                        ManagementFactory.getOperatingSystemMXBean())
                                .getProcessCpuTime()
                        / 1e9);
        StreamExecutionEnvironment env = environment(job, checkpoints, restore);
        List<CapturedTable> tables = WalcastJob.prepare(job);
        switch (kind) {
            case "count" -> WalcastJob.build(env, job, tables, List.of(new CountingSink()));
            case "bare" ->
                    env.fromSource(
                                    PostgresSources.create(
                                            job.source(), tables, new CountingDeserializer()),
                                    WatermarkStrategy.noWatermarks(),
                                    "postgres-source")
                            .uid("postgres-source")
                            .sinkTo(CountingSink.counter())
                            .name("sink-count")
                            .uid("sink-count");
            case "sinks" -> WalcastJob.build(env, job, tables, Sinks.fromConfig(job, tables));
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        }
        env.executeAsync(job.name());
        reportCounts();
    }

    /**
     * As in {@code conf/config.yaml}: RocksDB with incremental checkpoints, a 10 ms buffer timeout,
     * parallelism 2, the job definition's checkpoint interval.
     */
    static StreamExecutionEnvironment environment(
            JobConfig job, Path checkpoints, Optional<Path> restore) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("256m"));
        conf.set(ExecutionOptions.BUFFER_TIMEOUT, WalcastJob.BUFFER_TIMEOUT);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        restore.ifPresent(p -> conf.set(StateRecoveryOptions.SAVEPOINT_PATH, p.toUri().toString()));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        // Generic types stay allowed (Paimon's CDC writer needs Kryo); that switch only checks.
        env.enableCheckpointing(
                job.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        return env;
    }

    /** Prints the counting sink's progress whenever it changes, until the parent kills us. */
    private static void reportCounts() throws InterruptedException {
        long reported = -1;
        while (true) {
            long n = CountingSink.COUNT.get();
            if (n != reported) {
                System.out.printf(
                        "count %d %d %d%n",
                        n,
                        epochMillis(CountingSink.FIRST_NANOS.get()),
                        epochMillis(CountingSink.LAST_NANOS.get()));
                System.out.flush();
                reported = n;
            }
            Thread.sleep(50);
        }
    }

    private static long epochMillis(long nanoTime) {
        return nanoTime == 0
                ? 0
                : System.currentTimeMillis() - (System.nanoTime() - nanoTime) / 1_000_000;
    }
}
