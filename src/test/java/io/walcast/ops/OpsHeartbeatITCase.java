package io.walcast.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.config.JobConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.testing.CollectedEnvelopes;
import io.walcast.testing.TestJobs;
import io.walcast.testing.TestPostgres;
import java.time.Duration;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The captured table idle, another table busy for two minutes: the slot's {@code
 * confirmed_flush_lsn} follows the busy table's WAL (heartbeats carry the position on), so Postgres
 * can recycle it; the heartbeat action query runs and writes its message into the WAL.
 */
class OpsHeartbeatITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static TestPostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
        pg.execute(
                "create table quiet (id int primary key)",
                "insert into quiet values (1)",
                "create table busy (id serial primary key, pad text)",
                // A second slot, only to look at what the WAL carries: the heartbeat messages.
                "select pg_create_logical_replication_slot('heartbeat_probe', 'pgoutput')");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @Test
    void slotAdvancesWhileOnlyUncapturedTablesChange() throws Exception {
        JobConfig job = pg.job("heartbeat", "public\\.quiet", "sinks:\n  stdout: {}");
        assertThat(job.source().heartbeatActionQuery()).contains("pg_logical_emit_message");
        CollectedEnvelopes out = new CollectedEnvelopes();
        JobClient client = TestJobs.start(job, List.of(out));
        out.start();
        try {
            out.await(ChangeEnvelope::snapshot, 1, Duration.ofMinutes(3));
            // The captured table changes once, then stays idle: Debezium's heartbeat (and with
            // it the action query) only starts once the stream has processed a message.
            pg.execute("insert into quiet values (2)");
            out.await(e -> !e.snapshot(), 1, Duration.ofMinutes(3));
            long start = awaitConfirmed(-1, Duration.ofMinutes(2));
            long busyFrom = currentWal();
            long midway = 0;
            long until = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            long half = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            int writes = 0;
            while (System.nanoTime() < until) {
                pg.execute(
                        "insert into busy (pad) select repeat('x', 200) from generate_series(1, 50)");
                writes++;
                if (midway == 0 && System.nanoTime() > half) {
                    midway = currentWal();
                }
                Thread.sleep(100);
            }
            long confirmed = awaitConfirmed(midway, Duration.ofMinutes(2));
            assertThat(writes).isGreaterThan(100);
            assertThat(confirmed)
                    .as(
                            "confirmed_flush_lsn (was %d, busy writes from %d, midway %d)",
                            start, busyFrom, midway)
                    .isGreaterThan(midway)
                    .isGreaterThan(busyFrom);
            assertThat(out.all()).allMatch(e -> e.table().equals("quiet"));
            String heartbeats =
                    pg.queryOne(
                            "select count(*) from pg_logical_slot_peek_binary_changes("
                                    + "'heartbeat_probe', null, null, 'proto_version', '1',"
                                    + " 'publication_names', 'walcast_heartbeat', 'messages',"
                                    + " 'true') where position('walcast-heartbeat'::bytea in data)"
                                    + " > 0");
            assertThat(Long.parseLong(heartbeats))
                    .as("heartbeat action messages in the WAL (heartbeat every 1s, 2 minutes)")
                    .isGreaterThan(30);
        } finally {
            client.cancel().get();
            out.close();
        }
    }

    private static long currentWal() {
        return Long.parseLong(pg.queryOne("select (pg_current_wal_lsn() - '0/0')::bigint"));
    }

    /** Waits until the slot's confirmed_flush_lsn is past {@code above}, and returns it. */
    private static long awaitConfirmed(long above, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lsn = pg.confirmedFlushLsn("walcast_heartbeat");
        while (lsn <= above) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "confirmed_flush_lsn stayed at "
                                + lsn
                                + ", not past "
                                + above
                                + " within "
                                + timeout);
            }
            Thread.sleep(500);
            lsn = pg.confirmedFlushLsn("walcast_heartbeat");
        }
        return lsn;
    }
}
