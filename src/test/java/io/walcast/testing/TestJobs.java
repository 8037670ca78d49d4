package io.walcast.testing;

import io.walcast.app.WalcastJob;
import io.walcast.config.JobConfig;
import io.walcast.sink.EnvelopeSink;
import java.util.List;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** Submits the real walcast graph ({@link WalcastJob#build}) to the test MiniCluster. */
public final class TestJobs {
    private TestJobs() {}

    /** The test MiniCluster: one TaskManager with four slots (parallelism 2 plus the sinks). */
    public static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(4)
                        .build());
    }

    /** Parallelism 2, checkpointing every second, generic types off (proves there is no Kryo). */
    public static StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(1000, CheckpointingMode.EXACTLY_ONCE);
        env.getConfig().disableGenericTypes();
        return env;
    }

    public static JobClient start(JobConfig job, List<EnvelopeSink> sinks) throws Exception {
        return start(environment(), job, sinks);
    }

    public static JobClient start(
            StreamExecutionEnvironment env, JobConfig job, List<EnvelopeSink> sinks)
            throws Exception {
        WalcastJob.build(env, job, WalcastJob.prepare(job), sinks);
        return env.executeAsync(job.name());
    }
}
