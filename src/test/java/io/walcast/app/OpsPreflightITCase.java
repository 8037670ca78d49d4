package io.walcast.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.config.JobConfig;
import io.walcast.ops.Finding;
import io.walcast.ops.Preflight;
import io.walcast.source.SourceException;
import io.walcast.testing.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/**
 * {@code walcast validate} and the preflight of {@code run} against real systems set up wrong in
 * each way the checks know: every problem is found and its message names the fix.
 */
class OpsPreflightITCase {
    static TestPostgres pg;
    @TempDir static Path tmp;

    @BeforeAll
    static void start() {
        pg = TestPostgres.start();
        pg.execute(
                "create table orders (id int primary key, total numeric)",
                "create table customers (id int primary key, name text)",
                "create table keyless (a int, b text)",
                "create table guarded (id int primary key)",
                "create role walcast_plain login",
                "create publication walcast_other for table orders");
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    static JobConfig job(int port, String user, String source, String sinks) {
        return JobConfig.parse(
                String.join(
                        "\n",
                        "name: preflight",
                        "checkpoint-interval: 1s",
                        "source:",
                        "  hostname: localhost",
                        "  port: " + port,
                        "  database: postgres",
                        "  username: " + user,
                        source,
                        "sinks:",
                        sinks),
                "preflight",
                Map.of());
    }

    @Test
    void readySystemsPassAndValidateExitsZero() throws Exception {
        String yaml =
                String.join(
                        "\n",
                        "name: ready",
                        "checkpoint-interval: 1s",
                        "source:",
                        "  hostname: localhost",
                        "  port: " + pg.port(),
                        "  database: postgres",
                        "  username: postgres",
                        "  tables: ['public\\.orders', 'public\\.customers']",
                        "sinks:",
                        "  stdout: {}",
                        "  rabbitmq: {uri: 'amqp://guest:guest@127.0.0.1:5672', exchange:"
                                + " walcast.preflight, declare-exchange: true}",
                        "  paimon: {warehouse: '" + tmp.resolve("warehouse") + "'}");
        Path file = tmp.resolve("ready.yaml");
        Files.writeString(file, yaml);
        JobConfig job = JobConfig.load(file);
        assertThat(Preflight.check(job)).isEmpty();
        assertThat(Main.run(new String[] {"validate", file.toString()})).isZero();
    }

    @Test
    void walLevelReplicaAndNoRoomForSlotOrSenderAreReported() throws Exception {
        try (EmbeddedPostgres replica =
                EmbeddedPostgres.builder()
                        .setServerConfig("wal_level", "replica")
                        .setServerConfig("max_replication_slots", "0")
                        .setServerConfig("max_wal_senders", "0")
                        .start()) {
            List<Finding> findings =
                    Preflight.check(
                            job(
                                    replica.getPort(),
                                    "postgres",
                                    "  tables: ['pg_catalog\\.pg_class']",
                                    "  stdout: {}"));
            assertThat(text(findings))
                    .contains("wal_level is 'replica'")
                    .contains("set wal_level = logical in postgresql.conf")
                    .contains("max_replication_slots is 0")
                    .contains("raise max_replication_slots to at least 1")
                    .contains("max_wal_senders is 0")
                    .contains("raise max_wal_senders to at least 1");
        }
    }

    @Test
    void roleWithoutReplicationOrSelectIsReported() {
        List<Finding> findings =
                Preflight.check(
                        job(
                                pg.port(),
                                "walcast_plain",
                                "  tables: ['public\\.guarded']",
                                "  stdout: {}"));
        assertThat(text(findings))
                .contains("lacks the REPLICATION attribute")
                .contains("ALTER ROLE \"walcast_plain\" WITH REPLICATION")
                .contains("lacks SELECT on it")
                .contains("GRANT SELECT ON \"public\".\"guarded\" TO \"walcast_plain\"");
        assertThat(findings).hasSize(2);
    }

    @Test
    void missingTableAndTableWithoutKeyOrFullIdentityAreReported() {
        List<Finding> findings =
                Preflight.check(
                        job(
                                pg.port(),
                                "postgres",
                                "  tables: ['public\\.keyless', 'public\\.does_not_exist']",
                                "  stdout: {}"));
        assertThat(text(findings))
                .contains("pattern 'public\\.does_not_exist' matches no table")
                .contains("create the table, or fix the pattern")
                .contains(
                        "table public.keyless: it has no primary key and no REPLICA IDENTITY FULL")
                .contains("Postgres rejects every UPDATE and DELETE")
                .contains("ALTER TABLE \"public\".\"keyless\" REPLICA IDENTITY FULL")
                .contains(
                        "table public.keyless: it has no primary key, and source.startup is"
                                + " initial")
                .contains("set source.startup: latest");
        assertThat(findings).hasSize(3);
    }

    @Test
    void slotActiveElsewhereIsReported() throws Exception {
        pg.execute(
                "select pg_create_logical_replication_slot('busy_slot', 'pgoutput')",
                "create publication busy_pub for table customers");
        Properties props = new Properties();
        PGProperty.USER.set(props, "postgres");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        try (Connection c =
                        DriverManager.getConnection(
                                "jdbc:postgresql://localhost:" + pg.port() + "/postgres", props);
                PGReplicationStream stream =
                        c.unwrap(PGConnection.class)
                                .getReplicationAPI()
                                .replicationStream()
                                .logical()
                                .withSlotName("busy_slot")
                                .withSlotOption("proto_version", 1)
                                .withSlotOption("publication_names", "busy_pub")
                                .withStatusInterval(1, TimeUnit.SECONDS)
                                .start()) {
            stream.readPending();
            List<Finding> findings =
                    Preflight.check(
                            job(
                                    pg.port(),
                                    "postgres",
                                    "  tables: ['public\\.customers']\n  slot: busy_slot",
                                    "  stdout: {}"));
            assertThat(text(findings))
                    .contains("replication slot busy_slot: the slot is active")
                    .contains("stop the other consumer")
                    .contains("set source.slot to a name of its own");
        }
    }

    @Test
    void publicationWithOtherTablesIsReported() {
        List<Finding> findings =
                Preflight.check(
                        job(
                                pg.port(),
                                "postgres",
                                String.join(
                                        "\n",
                                        "  tables: ['public\\.orders', 'public\\.customers']",
                                        "  publication: walcast_other",
                                        "  create-publication: false"),
                                "  stdout: {}"));
        assertThat(text(findings))
                .contains("publication walcast_other: it publishes [public.orders]")
                .contains("changes of [public.customers] would be missed")
                .contains(
                        "ALTER PUBLICATION \"walcast_other\" SET TABLE \"public\".\"customers\","
                                + " \"public\".\"orders\"");
        assertThat(findings).hasSize(1);
    }

    @Test
    void unreachableOrUnwritableSinksAreReportedWithoutCredentials() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("plain-file"), "x");
        List<Finding> findings =
                Preflight.check(
                        job(
                                pg.port(),
                                "postgres",
                                "  tables: ['public\\.orders']",
                                String.join(
                                        "\n",
                                        "  rabbitmq: {uri: 'amqp://guest:canary-s3cret@127.0.0.1:1',"
                                                + " exchange: walcast.x}",
                                        "  kinesis: {stream: s, endpoint: 'http://127.0.0.1:1'}",
                                        "  paimon: {warehouse: '"
                                                + notADirectory.resolve("warehouse")
                                                + "'}")));
        String text = text(findings);
        assertThat(text)
                .contains("cannot connect to RabbitMQ at amqp://127.0.0.1:1")
                .contains("start the broker or fix host, port, vhost, user and password")
                .contains("no HTTP answer from http://127.0.0.1:1")
                .contains("start the Kinesis endpoint or fix sinks.kinesis.endpoint")
                .contains("is not writable")
                .contains("point sinks.paimon.warehouse at a directory")
                .doesNotContain("canary-s3cret");
        assertThat(findings).hasSize(3);
    }

    @Test
    void missingExchangeIsReportedAndRunRefusesToStart() throws Exception {
        String yaml =
                String.join(
                        "\n",
                        "name: refused",
                        "checkpoint-interval: 1s",
                        "source:",
                        "  hostname: localhost",
                        "  port: " + pg.port(),
                        "  database: postgres",
                        "  username: postgres",
                        "  tables: ['public\\.orders']",
                        "sinks:",
                        "  rabbitmq: {uri: 'amqp://guest:guest@127.0.0.1:5672', exchange:"
                                + " walcast.no-such-exchange}");
        Path file = tmp.resolve("refused.yaml");
        Files.writeString(file, yaml);
        assertThat(text(Preflight.check(JobConfig.load(file))))
                .contains("exchange 'walcast.no-such-exchange' does not exist")
                .contains("sinks.rabbitmq.declare-exchange: true");
        assertThat(Main.run(new String[] {"validate", file.toString()})).isEqualTo(1);
        try {
            JobRunner.preflight(JobConfig.load(file));
            throw new AssertionError("run started despite a failed preflight");
        } catch (SourceException e) {
            assertThat(e.getMessage()).contains("preflight found 1 problem(s)");
        }
        assertThat(
                        pg.queryOne(
                                "select count(*) from pg_replication_slots where slot_name ="
                                        + " 'walcast_refused'"))
                .isEqualTo("0");
    }

    private static String text(List<Finding> findings) {
        return findings.stream().map(Finding::toString).reduce("", (a, b) -> a + "\n" + b);
    }
}
