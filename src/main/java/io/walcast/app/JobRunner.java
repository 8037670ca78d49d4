package io.walcast.app;

import io.walcast.config.JobConfig;
import io.walcast.ops.Finding;
import io.walcast.ops.Preflight;
import io.walcast.source.CapturedTable;
import io.walcast.source.ReplicationSlots;
import io.walcast.source.SlotLostException;
import io.walcast.source.SourceException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code walcast run}: loads and validates the job definition, builds the graph, executes it. */
final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private JobRunner() {}

    static void run(Options options) throws Exception {
        JobConfig job = JobConfig.load(options.requireJobFile());
        run(job, options);
    }

    static void run(JobConfig job, Options options) throws Exception {
        preflight(job);
        List<CapturedTable> tables = WalcastJob.prepare(job);
        LOG.info(
                "job '{}' captures {} table(s) of {} at {}:{} (slot {}, publication {}): {}",
                job.name(),
                tables.size(),
                job.source().database(),
                job.source().hostname(),
                job.source().port(),
                job.source().slot(),
                job.source().publication(),
                tables.stream().map(CapturedTable::qualifiedName).toList());
        StreamExecutionEnvironment env =
                options.local() ? localEnvironment(job, options) : clusterEnvironment(job);
        WalcastJob.build(env, job, tables, Sinks.fromConfig(job, tables));
        try {
            env.execute(job.name());
        } catch (Exception e) {
            // The source found its replication slot dropped under the running job (Flink does not
            // restart it): report that as the job's error, like the check before a resume.
            Optional<SlotLostException> lost =
                    ExceptionUtils.findThrowable(e, SlotLostException.class);
            if (lost.isPresent()) {
                throw lost.get();
            }
            throw e;
        }
    }

    /** The checks of {@code walcast validate}; the job does not start while any fails. */
    static void preflight(JobConfig job) {
        List<Finding> findings = Preflight.check(job);
        String report = Preflight.report(job, findings);
        if (!findings.isEmpty()) {
            throw new SourceException(report);
        }
        LOG.info(report);
    }

    static void configure(StreamExecutionEnvironment env, JobConfig job) {
        env.enableCheckpointing(
                job.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        // walcast's own types never fall back to Kryo; Paimon's CDC writer passes its records
        // with Kryo, so generic types stay allowed when that sink is configured.
        if (job.sinks().paimon() == null) {
            env.getConfig().disableGenericTypes();
        }
    }

    private static StreamExecutionEnvironment clusterEnvironment(JobConfig job) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, job);
        return env;
    }

    private static StreamExecutionEnvironment localEnvironment(JobConfig job, Options options) {
        Path checkpoints = LocalCheckpoints.directory(options.stateDir(), job.name());
        Configuration conf = new Configuration();
        conf.set(RestOptions.PORT, options.webPort());
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(PipelineOptions.NAME, job.name());
        conf.set(ExecutionOptions.BUFFER_TIMEOUT, WalcastJob.BUFFER_TIMEOUT);
        // As conf/config.yaml does on a cluster: before-images (one per captured row) live in
        // RocksDB on local disk, not on the heap, and checkpoints upload only what changed.
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        Optional<Path> latest =
                options.fresh() ? Optional.empty() : LocalCheckpoints.latest(checkpoints);
        if (latest.isPresent()) {
            ReplicationSlots.requireForResume(job.source());
            LOG.info("resuming job '{}' from checkpoint {}", job.name(), latest.get());
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, latest.get().toUri().toString());
        } else {
            LOG.info(
                    "starting job '{}' without a checkpoint (startup: {})",
                    job.name(),
                    job.source().startup());
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(options.parallelism());
        configure(env, job);
        LOG.info("Flink Web UI on http://localhost:{}", options.webPort());
        return env;
    }
}
