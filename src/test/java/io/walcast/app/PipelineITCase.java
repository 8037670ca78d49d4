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
 * Snapshot then streamed inserts, updates, deletes and a truncate, through the real graph on an
 * embedded Postgres and a MiniCluster: every envelope field, and {@code current} equal to
 * Postgres's own {@code to_jsonb(row)} for the common types.
 */
class PipelineITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static TestPostgres pg;

    static final String TYPES_TABLE =
            "create table typed ("
                    + " id int primary key, i2 int2, i8 int8, num numeric(12,3), big numeric,"
                    + " r real, d double precision, b bool, t text, vc varchar(10), c char(4),"
                    + " dt date, ts timestamp, tstz timestamptz, tm time, u uuid, j json, jb jsonb,"
                    + " by bytea, ia int[], ta text[])";

    static final String ROW_1 =
            "insert into typed values (1, -32768, 9223372036854775807, 12345.678,"
                    + " 123456789012345678901234567890123456789012.123456789, 1.5, 0.1, true,"
                    + " 'hé \"quoted\" \\ back', 'short', 'ab', '2024-02-29',"
                    + " '2024-01-02 03:04:05.123456', '2024-07-01 12:00:00.5+02', '23:59:59.999',"
                    + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": [1, 2.50, {\"b\": null}]}',"
                    + " '{\"z\": 1, \"a\": \"x\"}', '\\x00ff10', '{1,NULL,3}', '{\"a\",NULL,\"c d\"}')";
    static final String ROW_2 =
            "insert into typed values (2, null, null, 'NaN', 'Infinity', 'NaN', '-Infinity', false,"
                    + " '', null, null, null, null, null, null, null, 'null', '[]', '', '{}', '{}')";

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
        pg.execute(
                TYPES_TABLE,
                "alter table typed replica identity full",
                ROW_1,
                ROW_2,
                "create table article_2026_01 (id int primary key, title text)",
                "create table article_2026_02 (id int primary key, title text)",
                "insert into article_2026_01 values (1, 'January')");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @Test
    void snapshotThenStreamedChangesArriveAsEnvelopesEqualToPostgres() throws Exception {
        JobConfig job =
                pg.job(
                        "pipeline",
                        "public\\..*",
                        String.join(
                                "\n",
                                "resources:",
                                "  article: ['public\\.article_\\d{4}_\\d{2}']",
                                "metadata: {environment: test}",
                                "sinks:",
                                "  stdout: {}"));
        CollectedEnvelopes out = new CollectedEnvelopes();
        JobClient client = TestJobs.start(job, List.of(out));
        out.start();
        try {
            List<ChangeEnvelope> snapshot =
                    out.await(e -> e.operation() == Operation.SNAPSHOT, 3, Duration.ofMinutes(2));
            assertThat(snapshot).allMatch(ChangeEnvelope::snapshot);
            for (ChangeEnvelope e : snapshot) {
                assertEqualsPostgres(e);
            }
            ChangeEnvelope january =
                    snapshot.stream()
                            .filter(e -> e.table().equals("article_2026_01"))
                            .findFirst()
                            .orElseThrow();
            assertThat(january.resource()).isEqualTo("article");
            assertThat(january.routingKey()).isEqualTo("cdc.article.snapshot");
            assertThat(january.metadata()).containsEntry("environment", "test");
            assertThat(january.key().asMap()).containsEntry("id", "1");
            assertThat(january.lsn()).isNull();

            pg.execute(ROW_1.replace("values (1,", "values (3,"));
            String inserted = pg.toJsonb("typed", "id = 3");
            pg.execute(
                    "update typed set t = 'changed', num = 1.5 where id = 3",
                    "delete from typed where id = 1",
                    "insert into article_2026_02 values (7, 'February')",
                    "truncate article_2026_01");
            List<ChangeEnvelope> streamed = out.await(e -> !e.snapshot(), 5, Duration.ofMinutes(1));

            ChangeEnvelope insert = only(streamed, Operation.INSERT, "typed");
            assertJsonbEquals(row(insert), inserted);
            assertThat(insert.previous()).isNull();
            assertThat(insert.targets()).contains("id", "t", "jb").doesNotContain("vc_missing");
            assertThat(insert.lsn()).isNotNull();
            assertThat(insert.xid()).isNotNull();
            assertThat(insert.id()).isEqualTo(String.format("%016x-0", insert.lsn()));
            assertThat(insert.routingKey()).isEqualTo("cdc.typed.insert");

            ChangeEnvelope update = only(streamed, Operation.UPDATE, "typed");
            assertThat(update.targets()).containsExactly("num", "t");
            assertThat(update.previous()).isEqualTo(insert.current());
            assertEqualsPostgres(update);
            assertThat(update.lsn()).isGreaterThan(insert.lsn());

            ChangeEnvelope delete = only(streamed, Operation.DELETE, "typed");
            assertThat(delete.current()).isNull();
            ChangeEnvelope row1 =
                    snapshot.stream()
                            .filter(
                                    e ->
                                            e.table().equals("typed")
                                                    && e.key().json("id").equals("1"))
                            .findFirst()
                            .orElseThrow();
            assertThat(delete.previous()).isEqualTo(row1.current());
            assertThat(delete.key().asMap()).containsEntry("id", "1");

            ChangeEnvelope feb = only(streamed, Operation.INSERT, "article_2026_02");
            assertThat(feb.resource()).isEqualTo("article");
            assertThat(feb.routingKey()).isEqualTo("cdc.article.insert");

            ChangeEnvelope truncate = only(streamed, Operation.TRUNCATE, "article_2026_01");
            assertThat(truncate.routingKey()).isEqualTo("cdc.article.truncate");
            assertThat(truncate.current()).isNull();

            assertThat(streamed.stream().map(ChangeEnvelope::id).distinct())
                    .hasSize(streamed.size());
            for (ChangeEnvelope e : streamed) {
                assertThat(EnvelopeJson.read(e.json())).isEqualTo(e);
            }
        } finally {
            client.cancel().get();
            out.close();
        }
    }

    private static ChangeEnvelope only(List<ChangeEnvelope> all, Operation op, String table) {
        List<ChangeEnvelope> matching =
                all.stream().filter(e -> e.operation() == op && e.table().equals(table)).toList();
        assertThat(matching).as(op + " on " + table).hasSize(1);
        return matching.get(0);
    }

    /** Compares inside Postgres, with jsonb equality, against the row as it is now. */
    private static void assertEqualsPostgres(ChangeEnvelope e) {
        if (e.table().equals("typed")) {
            String id = e.key().json("id");
            assertJsonbEquals(row(e), pg.toJsonb("typed", "id = " + id));
        }
    }

    private static void assertJsonbEquals(String walcast, String postgres) {
        assertThat(pg.jsonbEquals(walcast, postgres))
                .as("\nwalcast:  " + walcast + "\npostgres: " + postgres)
                .isTrue();
    }

    private static String row(ChangeEnvelope e) {
        String json = new String(e.json(), StandardCharsets.UTF_8);
        try {
            return EnvelopeJson.EXACT.readTree(json).get("current").toString();
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }
    }
}
