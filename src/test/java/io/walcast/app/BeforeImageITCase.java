package io.walcast.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.config.JobConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.EnvelopeJson;
import io.walcast.envelope.Operation;
import io.walcast.testing.CollectedEnvelopes;
import io.walcast.testing.TestJobs;
import io.walcast.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Before-images from keyed state on {@code REPLICA IDENTITY DEFAULT} tables, through the real graph
 * on an embedded Postgres and a MiniCluster: {@code previous} equal to Postgres's {@code to_jsonb}
 * of the row before the change, exact {@code targets}, a large out-of-line TOAST value carried in
 * full, a primary-key update, and honest {@code previous_unavailable} after {@code startup:
 * latest}.
 */
class BeforeImageITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    /** About 12 kB; EXTERNAL storage keeps it uncompressed, so it certainly goes out of line. */
    static final String BIG_VALUE = "repeat('walcast toast value ', 600)";

    static TestPostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
        pg.execute(
                "create table account (id int primary key, name text, balance numeric(12,2),"
                        + " tags text[], big text)",
                "alter table account alter column big set storage external",
                "insert into account values (1, 'ada', 10.50, '{a,b}', 'small'),"
                        + " (2, 'bob', 20, null, null),"
                        + " (3, 'cyd', 30, '{c}', "
                        + BIG_VALUE
                        + ")",
                "create table late (id int primary key, v int, big text)",
                "alter table late alter column big set storage external",
                "insert into late values (1, 1, " + BIG_VALUE + ")",
                "create table plain (id int primary key, v int, big text)",
                "alter table plain alter column big set storage external",
                "insert into plain values (1, 1, " + BIG_VALUE + ")");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @Test
    void updateAndDeleteCarryFullPreviousWithoutReplicaIdentityFull() throws Exception {
        assertThat(pg.queryOne("select relreplident from pg_class where relname = 'account'"))
                .isEqualTo("d");
        String toast =
                pg.queryOne(
                        "select reltoastrelid::regclass from pg_class where relname = 'account'");
        assertThat(Integer.parseInt(pg.queryOne("select count(*) from " + toast)))
                .as("the large value is stored out of line")
                .isGreaterThan(0);

        JobConfig job = pg.job("beforeimages", "public\\.account", "sinks:\n  stdout: {}");
        CollectedEnvelopes out = new CollectedEnvelopes();
        JobClient client = TestJobs.start(job, List.of(out));
        out.start();
        try {
            out.await(e -> e.operation() == Operation.SNAPSHOT, 3, Duration.ofMinutes(3));

            String before1 = pg.toJsonb("account", "id = 1");
            pg.execute("update account set name = 'ada l.', balance = 11 where id = 1");
            String before3 = pg.toJsonb("account", "id = 3");
            pg.execute("update account set balance = 31 where id = 3");
            String after3 = pg.toJsonb("account", "id = 3");
            String before2 = pg.toJsonb("account", "id = 2");
            pg.execute("delete from account where id = 2");
            List<ChangeEnvelope> streamed = out.await(e -> !e.snapshot(), 3, Duration.ofMinutes(2));

            ChangeEnvelope update1 = only(streamed, Operation.UPDATE, "1");
            assertJsonbEquals(json(update1, "previous"), before1);
            assertThat(update1.targets()).containsExactly("name", "balance");
            assertJsonbEquals(json(update1, "current"), pg.toJsonb("account", "id = 1"));
            assertThat(update1.previousUnavailable()).isFalse();

            ChangeEnvelope update3 = only(streamed, Operation.UPDATE, "3");
            assertJsonbEquals(json(update3, "previous"), before3);
            assertJsonbEquals(json(update3, "current"), after3);
            assertThat(update3.current().json("big")).hasSizeGreaterThan(8 * 1024);
            assertThat(update3.targets()).containsExactly("balance");
            assertThat(update3.unavailableColumns()).isNull();

            ChangeEnvelope delete2 = only(streamed, Operation.DELETE, "2");
            assertJsonbEquals(json(delete2, "previous"), before2);
            assertThat(delete2.current()).isNull();

            // A primary-key change: Debezium emits delete(3) + insert(30); the untouched TOAST
            // value must still be whole in the insert, and the image must follow the new key.
            String beforeMove = pg.toJsonb("account", "id = 3");
            pg.execute("update account set id = 30 where id = 3");
            String moved = pg.toJsonb("account", "id = 30");
            pg.execute("update account set name = 'cyd m.' where id = 30");
            List<ChangeEnvelope> afterMove =
                    out.await(
                            e -> !e.snapshot() && e.key().json("id").matches("3|30"),
                            4, // the earlier update of 3, then delete 3, insert 30, update 30
                            Duration.ofMinutes(2));
            ChangeEnvelope deleteOld = only(afterMove, Operation.DELETE, "3");
            assertJsonbEquals(json(deleteOld, "previous"), beforeMove);
            ChangeEnvelope insertNew = only(afterMove, Operation.INSERT, "30");
            assertJsonbEquals(json(insertNew, "current"), moved);
            ChangeEnvelope updateNew = only(afterMove, Operation.UPDATE, "30");
            assertJsonbEquals(json(updateNew, "previous"), moved);
            assertJsonbEquals(json(updateNew, "current"), pg.toJsonb("account", "id = 30"));
            assertThat(updateNew.targets()).containsExactly("name");

            for (ChangeEnvelope e : out.all()) {
                String text = new String(e.json(), StandardCharsets.UTF_8);
                assertThat(text)
                        .doesNotContain("__walcast_unchanged_toast_value__")
                        .doesNotContain("__debezium_unavailable_value")
                        .doesNotContain("\\u0000");
                assertThat(EnvelopeJson.read(e.json())).isEqualTo(e);
            }
        } finally {
            client.cancel().get();
            out.close();
        }
    }

    @Test
    void rowsNeverSeenSinceStartupLatestSayPreviousIsUnavailable() throws Exception {
        JobConfig job =
                pg.job(
                        "beforeimageslatest",
                        "public\\.late",
                        "  startup: latest\nsinks:\n  stdout: {}");
        CollectedEnvelopes out = new CollectedEnvelopes();
        JobClient client = TestJobs.start(job, List.of(out));
        out.start();
        try {
            // The stream starts once the slot exists; a marker row shows it is being read.
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            int marker = 100;
            while (out.all().stream().noneMatch(e -> e.operation() == Operation.INSERT)) {
                assertThat(System.nanoTime()).as("stream started").isLessThan(deadline);
                pg.execute("insert into late values (" + marker++ + ", 0, null)");
                Thread.sleep(2000);
            }
            pg.execute("update late set v = 2 where id = 1");
            pg.execute("update late set v = 3 where id = 1");
            List<ChangeEnvelope> updates =
                    out.await(e -> e.operation() == Operation.UPDATE, 2, Duration.ofMinutes(2));

            ChangeEnvelope first = updates.get(0);
            assertThat(first.previous()).isNull();
            assertThat(first.previousUnavailable()).isTrue();
            assertThat(first.targets()).isNull();
            // The large value was not in the WAL and the row was never seen: left out, named.
            assertThat(first.current().has("big")).isFalse();
            assertThat(first.unavailableColumns()).containsExactly("big");
            assertThat(new String(first.json(), StandardCharsets.UTF_8))
                    .contains("\"previous\":null")
                    .contains("\"previous_unavailable\":true")
                    .contains("\"unavailable_columns\":[\"big\"]");

            // Still unknown: an incomplete image is never kept as if it were whole.
            ChangeEnvelope second = updates.get(1);
            assertThat(second.previousUnavailable()).isTrue();

            pg.execute("update late set big = 'now known' where id = 1");
            pg.execute("update late set v = 4 where id = 1");
            List<ChangeEnvelope> later =
                    out.await(e -> e.operation() == Operation.UPDATE, 4, Duration.ofMinutes(2));
            ChangeEnvelope known = later.get(3);
            assertJsonbEquals(
                    json(known, "previous"), "{\"id\": 1, \"v\": 3, \"big\": \"now known\"}");
            assertThat(known.targets()).containsExactly("v");
        } finally {
            client.cancel().get();
            out.close();
        }
    }

    @Test
    void withoutStateTheUntouchedToastValueIsNamedNotFaked() throws Exception {
        JobConfig job =
                pg.job(
                        "beforeimagesnone",
                        "public\\.plain",
                        "previous:\n  default: none\nsinks:\n  stdout: {}");
        CollectedEnvelopes out = new CollectedEnvelopes();
        JobClient client = TestJobs.start(job, List.of(out));
        out.start();
        try {
            out.await(e -> e.operation() == Operation.SNAPSHOT, 1, Duration.ofMinutes(3));
            pg.execute("update plain set v = 2 where id = 1");
            ChangeEnvelope update =
                    out.await(e -> e.operation() == Operation.UPDATE, 1, Duration.ofMinutes(2))
                            .get(0);
            assertThat(update.previous()).isNull();
            assertThat(update.previousUnavailable()).isTrue();
            assertThat(update.current().asMap()).containsOnlyKeys("id", "v");
            assertThat(update.unavailableColumns()).containsExactly("big");
            assertThat(new String(update.json(), StandardCharsets.UTF_8))
                    .doesNotContain("__walcast_unchanged_toast_value__")
                    .doesNotContain("\\u0000");
        } finally {
            client.cancel().get();
            out.close();
        }
    }

    private static ChangeEnvelope only(List<ChangeEnvelope> all, Operation op, String id) {
        List<ChangeEnvelope> matching =
                all.stream()
                        .filter(e -> e.operation() == op && e.key().json("id").equals(id))
                        .toList();
        assertThat(matching).as(op + " of id " + id).hasSize(1);
        return matching.get(0);
    }

    private static void assertJsonbEquals(String walcast, String postgres) {
        assertThat(pg.jsonbEquals(walcast, postgres))
                .as("\nwalcast:  " + abbreviate(walcast) + "\npostgres: " + abbreviate(postgres))
                .isTrue();
    }

    private static String abbreviate(String json) {
        return json.replaceAll("((walcast toast value ){2})(walcast toast value )+", "$1…");
    }

    /** One row image of the envelope as written to sinks. */
    static String json(ChangeEnvelope e, String field) {
        try {
            return EnvelopeJson.EXACT.readTree(e.json()).get(field).toString();
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }
}
