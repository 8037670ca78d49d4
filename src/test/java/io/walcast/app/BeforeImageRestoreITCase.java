package io.walcast.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.config.JobConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import io.walcast.testing.CollectedEnvelopes;
import io.walcast.testing.TestJobs;
import io.walcast.testing.TestPostgres;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The before-image state survives a failure: the task manager is killed mid-workload, the job comes
 * back from its last checkpoint, and the updates made meanwhile still carry the right {@code
 * previous} and the whole out-of-line TOAST value, both taken from restored state. Runs on RocksDB
 * with incremental checkpoints, as {@code conf/config.yaml} does.
 */
class BeforeImageRestoreITCase {
    static final int ROWS = 20;

    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static TestPostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
        pg.execute(
                "create table ledger (id int primary key, v int, big text)",
                "alter table ledger alter column big set storage external",
                "insert into ledger select i, 0, repeat('ledger ' || i || ' ', 1500)"
                        + " from generate_series(1, "
                        + ROWS
                        + ") i");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @Test
    void beforeImagesAreRightAfterRestoreFromCheckpoint(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        JobConfig job = pg.job("beforeimagesrestore", "public\\.ledger", "sinks:\n  stdout: {}");
        CollectedEnvelopes out = new CollectedEnvelopes();
        // As conf/config.yaml runs it: RocksDB, incremental checkpoints.
        Configuration conf = new Configuration();
        conf.setString("state.backend.type", "rocksdb");
        conf.setString("execution.checkpointing.incremental", "true");
        StreamExecutionEnvironment env = TestJobs.environment();
        env.configure(conf);
        JobClient client = TestJobs.start(env, job, List.of(out));
        out.start();
        try {
            out.await(e -> e.operation() == Operation.SNAPSHOT, ROWS, Duration.ofMinutes(3));
            pg.execute("update ledger set v = v + 1");
            // Collected results arrive only as checkpoints complete: this round is checkpointed.
            out.await(e -> e.operation() == Operation.UPDATE, ROWS, Duration.ofMinutes(2));

            cluster.terminateTaskManager(0).get();
            pg.execute("update ledger set v = v + 1");
            pg.execute("update ledger set v = v + 1 where id % 2 = 0");
            cluster.startTaskManager();

            int expected = ROWS * 2 + ROWS / 2;
            out.await(e -> e.operation() == Operation.UPDATE, expected, Duration.ofMinutes(4));

            RestoredCheckpointStats restored =
                    cluster.getExecutionGraph(client.getJobID())
                            .get()
                            .getCheckpointStatsSnapshot()
                            .getLatestRestoredCheckpoint();
            assertThat(restored).as("the job came back from a checkpoint").isNotNull();

            Map<String, ChangeEnvelope> updates = new LinkedHashMap<>();
            for (ChangeEnvelope e : out.all()) {
                if (e.operation() == Operation.UPDATE) {
                    updates.put(e.id(), e);
                }
            }
            assertThat(updates).hasSize(expected);
            for (ChangeEnvelope u : updates.values()) {
                String id = u.key().json("id");
                int v = Integer.parseInt(u.current().json("v"));
                String big = "\"" + ("ledger " + id + " ").repeat(1500) + "\"";
                assertThat(u.previousUnavailable()).as("update of " + id).isFalse();
                assertThat(u.previous().json("v"))
                        .as("previous v of " + id)
                        .isEqualTo("" + (v - 1));
                assertThat(u.previous().json("big")).as("previous big of " + id).isEqualTo(big);
                assertThat(u.current().json("big")).as("current big of " + id).isEqualTo(big);
                assertThat(u.targets()).containsExactly("v");
            }
            for (int id = 1; id <= ROWS; id++) {
                int finalV = Integer.parseInt(pg.queryOne("select v from ledger where id = " + id));
                String key = "" + id;
                assertThat(
                                updates.values().stream()
                                        .filter(u -> u.key().json("id").equals(key))
                                        .map(u -> u.current().json("v")))
                        .as("updates of " + id)
                        .contains("" + finalV);
            }
        } finally {
            client.cancel().get();
            out.close();
        }
    }
}
