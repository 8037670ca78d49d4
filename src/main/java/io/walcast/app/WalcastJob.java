package io.walcast.app;

import io.walcast.config.BeforeImageConfig;
import io.walcast.config.JobConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.ops.LatencyFunction;
import io.walcast.ops.ObserveFunction;
import io.walcast.sink.EnvelopeSink;
import io.walcast.source.CapturedTable;
import io.walcast.source.CatalogReader;
import io.walcast.source.PostgresSources;
import io.walcast.source.Publications;
import io.walcast.transform.BeforeImageFunction;
import io.walcast.transform.ChangeFilterFunction;
import io.walcast.transform.EnrichFunction;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The walcast graph, top to bottom as the data flows: Postgres WAL → normalize (in the source's
 * deserializer) → before-images (keyed by table; only when a table uses {@code previous: state}) →
 * filter → enrich → observe (event counts, slot lag) → per sink: latency → sink. Every operator has
 * a stable uid: never rename one, savepoints depend on it.
 */
public final class WalcastJob {
    /**
     * How long a record may wait in a network buffer that is not full (Flink's default is 100 ms):
     * a quiet stream's changes reach the sinks within this; a busy one fills buffers first.
     * conf/config.yaml sets the same for clusters.
     */
    public static final Duration BUFFER_TIMEOUT = Duration.ofMillis(10);

    private WalcastJob() {}

    /**
     * Reads which tables the job captures and makes the publication publish exactly those; run on
     * the client before {@link #build}.
     */
    public static List<CapturedTable> prepare(JobConfig job) {
        List<CapturedTable> tables = CatalogReader.read(job.source());
        Publications.ensure(job.source(), tables);
        return tables;
    }

    public static void build(
            StreamExecutionEnvironment env,
            JobConfig job,
            List<CapturedTable> tables,
            List<EnvelopeSink> sinks) {
        DataStream<ChangeEnvelope> changes =
                env.fromSource(
                                PostgresSources.create(job.source(), tables, job.previous()),
                                WatermarkStrategy.noWatermarks(),
                                "postgres-source")
                        .uid("postgres-source");

        Set<String> stateTables = stateTables(job, tables);
        DataStream<ChangeEnvelope> completed =
                stateTables.isEmpty()
                        ? changes
                        : changes.keyBy(BeforeImageFunction::table)
                                .process(new BeforeImageFunction(stateTables))
                                .name("before-images")
                                .uid("before-images");

        DataStream<ChangeEnvelope> filtered =
                completed
                        .flatMap(new ChangeFilterFunction(job.filters()))
                        .name("filter")
                        .uid("filter");

        DataStream<ChangeEnvelope> enriched =
                filtered.map(new EnrichFunction(job))
                        .name("enrich")
                        .uid("enrich")
                        .map(new ObserveFunction(job.source()))
                        .name("observe")
                        .uid("observe");

        for (EnvelopeSink sink : sinks) {
            sink.attach(
                    enriched.map(new LatencyFunction())
                            .name("latency-" + sink.name())
                            .uid("latency-" + sink.name()));
        }
    }

    /** The tables whose {@code previous} comes from the job's keyed state. */
    static Set<String> stateTables(JobConfig job, List<CapturedTable> tables) {
        return tables.stream()
                .filter(
                        t ->
                                job.previous()
                                                .modeFor(
                                                        t.qualifiedName(),
                                                        t.replicaIdentity()
                                                                == CapturedTable.ReplicaIdentity
                                                                        .FULL)
                                        == BeforeImageConfig.Mode.STATE)
                .map(CapturedTable::qualifiedName)
                .collect(Collectors.toUnmodifiableSet());
    }
}
