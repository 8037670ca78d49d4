package io.walcast.sink.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.walcast.app.Sinks;
import io.walcast.config.JobConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.EnvelopeJson;
import io.walcast.envelope.Lsn;
import io.walcast.envelope.Operation;
import io.walcast.testing.RabbitMqBroker;
import io.walcast.testing.RabbitMqBroker.Message;
import io.walcast.testing.TestJobs;
import io.walcast.testing.TestPostgres;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The RabbitMQ sink in the real graph: embedded Postgres → MiniCluster (parallelism 2, checkpoint
 * every second) → the real broker, read back with the broker's own client.
 */
class RabbitMqSinkITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static final Duration WAIT = Duration.ofMinutes(3);

    static TestPostgres pg;
    static RabbitMqBroker broker;

    @BeforeAll
    static void start() {
        pg = TestPostgres.start();
        broker = new RabbitMqBroker();
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
        pg.close();
    }

    static JobConfig job(String name, String tables, String exchange, String... extra) {
        return pg.job(
                name,
                tables,
                String.join(
                        "\n",
                        "sinks:",
                        "  rabbitmq:",
                        "    uri: " + RabbitMqBroker.URI,
                        "    exchange: " + exchange,
                        "    declare-exchange: true",
                        extra.length == 0 ? "" : "    " + String.join("\n    ", extra)));
    }

    static JobClient start(JobConfig job, StreamExecutionEnvironment env) throws Exception {
        return TestJobs.start(env, job, Sinks.fromConfig(job, List.of()));
    }

    /** Restarts every 2 s, forever: the behaviour a production job has on a failed checkpoint. */
    static StreamExecutionEnvironment restarting() {
        StreamExecutionEnvironment env = TestJobs.environment();
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, Integer.MAX_VALUE);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
        env.configure(c);
        return env;
    }

    static ChangeEnvelope envelope(Message m) {
        return EnvelopeJson.read(m.body());
    }

    static Set<String> ids(List<Message> messages) {
        return messages.stream().map(Message::id).collect(Collectors.toSet());
    }

    static void cancel(JobClient client) throws Exception {
        try {
            client.cancel().get(1, TimeUnit.MINUTES);
        } catch (Exception e) {
            // the job already failed
        }
    }

    @Test
    void snapshotAndStreamedChangesArriveRoutedByResourceAndOperation() throws Exception {
        pg.execute(
                "create table article (id int primary key, title text)",
                "create table author (id int primary key, name text)",
                "alter table author replica identity full",
                "insert into article values (1, 'one'), (2, 'two'), (3, 'three')",
                "insert into author values (1, 'ann'), (2, 'bob')");
        broker.freshExchange("it-routing");
        broker.freshQueue("it.routing.all", "it-routing", "cdc.#", null);
        broker.freshQueue("it.routing.article", "it-routing", "cdc.article.*", null);
        JobClient client =
                start(
                        job("rabbit-routing", "public\\.(article|author)", "it-routing"),
                        TestJobs.environment());
        try {
            List<Message> snapshot = broker.take("it.routing.all", l -> ids(l).size() >= 5, WAIT);
            pg.execute(
                    "insert into article values (4, 'four')",
                    "update article set title = 'uno' where id = 1",
                    "delete from author where id = 2",
                    "insert into author values (3, 'cy')");
            List<Message> streamed = broker.take("it.routing.all", l -> ids(l).size() >= 4, WAIT);
            List<Message> all =
                    java.util.stream.Stream.concat(snapshot.stream(), streamed.stream()).toList();
            assertThat(ids(all)).hasSize(9);
            for (Message m : all) {
                ChangeEnvelope e = envelope(m);
                assertThat(m.routingKey())
                        .isEqualTo("cdc." + e.resource() + "." + e.operation().wireName())
                        .isEqualTo(e.routingKey());
                assertThat(m.id()).isEqualTo(e.id());
                assertThat(m.body()).isEqualTo(e.json());
                assertThat(m.properties().getContentType()).isEqualTo("application/json");
                assertThat(m.properties().getDeliveryMode()).isEqualTo(2);
                assertThat(m.header("resource")).isEqualTo(e.resource());
                assertThat(m.header("operation")).isEqualTo(e.operation().wireName());
                assertThat(m.header("table")).isEqualTo(e.table());
                assertThat(m.header("lsn")).isEqualTo(e.lsn() == null ? null : Lsn.format(e.lsn()));
            }
            assertThat(streamed.stream().map(Message::routingKey))
                    .contains(
                            "cdc.article.insert",
                            "cdc.article.update",
                            "cdc.author.delete",
                            "cdc.author.insert");
            assertThat(snapshot.stream().map(Message::routingKey))
                    .containsOnly("cdc.article.snapshot", "cdc.author.snapshot");

            List<Message> article =
                    broker.take("it.routing.article", l -> ids(l).size() >= 5, WAIT);
            assertThat(article).allMatch(m -> envelope(m).resource().equals("article"));
            assertThat(ids(article))
                    .isEqualTo(
                            all.stream()
                                    .filter(m -> envelope(m).resource().equals("article"))
                                    .map(Message::id)
                                    .collect(Collectors.toSet()));
        } finally {
            cancel(client);
        }
    }

    @Test
    void brokerRestartUnderLoadLosesNoChange() throws Exception {
        int snapshotRows = 200;
        int streamedRows = 3000;
        pg.execute(
                "create table load_t (id int primary key, v text)",
                "insert into load_t select g, 'snapshot' from generate_series(1, "
                        + snapshotRows
                        + ") g");
        broker.freshExchange("it-restart");
        broker.freshQueue("it.restart.all", "it-restart", "cdc.#", null);
        JobClient client =
                start(
                        job(
                                "rabbit-restart",
                                "public\\.load_t",
                                "it-restart",
                                "max-in-flight: 200",
                                "connect-attempts: 3"),
                        restarting());
        try {
            // the whole snapshot first: a row inserted while its chunk is read would arrive both
            // as a snapshot row and as an insert, with two ids (the source's overlap, not ours)
            long snapshotDeadline = System.nanoTime() + WAIT.toNanos();
            while (broker.messageCount("it.restart.all") < snapshotRows) {
                assertThat(System.nanoTime()).isLessThan(snapshotDeadline);
                Thread.sleep(100);
            }
            CompletableFuture<Void> writes =
                    CompletableFuture.runAsync(
                            () -> {
                                for (int i = 1; i <= streamedRows; i++) {
                                    pg.execute(
                                            "insert into load_t values ("
                                                    + (snapshotRows + i)
                                                    + ", 'streamed')");
                                    if (i % 20 == 0) { // about 15 s of writes
                                        sleep(100);
                                    }
                                }
                            });
            // restart the broker while rows are being written and published
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (broker.messageCount("it.restart.all") < snapshotRows + 300) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(50);
            }
            RabbitMqBroker.stopApp();
            assertThat(writes).as("rows are still being written when the broker stops").isNotDone();
            Thread.sleep(5_000);
            RabbitMqBroker.startApp();
            writes.get(5, TimeUnit.MINUTES);

            // every row's change arrives (no loss), whatever the ids say
            List<Message> all =
                    broker.takeUntil(
                            "it.restart.all",
                            l -> keys(l).size() >= snapshotRows + streamedRows,
                            Duration.ofMinutes(4));
            Set<String> keys = keys(all);
            List<Integer> missing =
                    java.util.stream.IntStream.rangeClosed(1, snapshotRows + streamedRows)
                            .filter(k -> !keys.contains(String.valueOf(k)))
                            .boxed()
                            .toList();
            assertThat(missing)
                    .as("rows whose change never arrived (%d messages)", all.size())
                    .isEmpty();
            Map<String, Set<String>> idsByKey =
                    all.stream()
                            .collect(
                                    Collectors.groupingBy(
                                            m -> envelope(m).key().json("id"),
                                            Collectors.mapping(Message::text, Collectors.toSet())));
            idsByKey.values().removeIf(v -> v.size() == 1);
            assertThat(ids(all))
                    .as(
                            "a change redelivered after the restart keeps its id; differing: %s",
                            idsByKey)
                    .hasSize(snapshotRows + streamedRows);
            // a duplicate is a re-delivery of the same change: same id, same body
            Map<String, List<Message>> byId =
                    all.stream().collect(Collectors.groupingBy(Message::id));
            for (List<Message> copies : byId.values()) {
                assertThat(copies).extracting(Message::text).containsOnly(copies.get(0).text());
            }
            System.out.printf(
                    "broker restart: %d changes, %d messages, %d duplicates%n",
                    ids(all).size(), all.size(), all.size() - ids(all).size());
        } finally {
            cancel(client);
        }
    }

    @Test
    void nackedMessageIsNeverCoveredByACompletedCheckpoint() throws Exception {
        pg.execute(
                "create table nack_t (id int primary key, v text)",
                "insert into nack_t values (1, 'a'), (2, 'b'), (3, 'c')");
        broker.freshExchange("it-nack");
        broker.freshQueue(
                "it.nack.limited",
                "it-nack",
                "cdc.#",
                Map.of("x-max-length", 3, "x-overflow", "reject-publish"));
        JobConfig job = job("rabbit-nack", "public\\.nack_t", "it-nack");
        String slot = job.source().slot();
        JobClient client = start(job, restarting());
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (broker.messageCount("it.nack.limited") < 3 || pg.confirmedFlushLsn(slot) <= 0) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(200);
            }
            // the queue is full: the broker nacks the next message
            pg.execute("insert into nack_t values (4, 'rejected')");
            long maxConfirmed = 0;
            for (int i = 0; i < 75; i++) { // 15 s, 15 checkpoint intervals
                maxConfirmed = Math.max(maxConfirmed, pg.confirmedFlushLsn(slot));
                Thread.sleep(200);
            }
            assertThat(broker.messageCount("it.nack.limited")).isEqualTo(3);

            broker.purge("it.nack.limited");
            List<Message> after =
                    broker.take(
                            "it.nack.limited",
                            l -> l.stream().anyMatch(m -> envelope(m).key().json("id").equals("4")),
                            WAIT);
            Message rejected =
                    after.stream()
                            .filter(m -> envelope(m).key().json("id").equals("4"))
                            .findFirst()
                            .orElseThrow();
            long lsn = Lsn.parse((String) rejected.header("lsn"));
            assertThat(maxConfirmed)
                    .as("the slot never confirmed past the nacked change while it was rejected")
                    .isLessThan(lsn);
            // and once the broker takes it, the checkpoint completes and the slot moves past it
            deadline = System.nanoTime() + WAIT.toNanos();
            while (pg.confirmedFlushLsn(slot) < lsn) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(200);
            }
        } finally {
            cancel(client);
        }
    }

    @Test
    void unroutableMessageFailsTheJobNamingTheRoutingKeyAndStaysInTheSlot() throws Exception {
        pg.execute(
                "create table routed_t (id int primary key)",
                "create table orphan_t (id int primary key)",
                "insert into routed_t values (1)");
        broker.freshExchange("it-unroutable");
        broker.freshQueue("it.unroutable.routed", "it-unroutable", "cdc.routed_t.*", null);
        JobConfig job = job("rabbit-unroutable", "public\\.(routed_t|orphan_t)", "it-unroutable");
        // a few restarts (the CDC source's chunk splitter can fail once on start), then the job
        // fails for good with the cause of its last attempt
        StreamExecutionEnvironment env = TestJobs.environment();
        Configuration fewRestarts = new Configuration();
        fewRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        fewRestarts.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        fewRestarts.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        env.configure(fewRestarts);
        JobClient client = start(job, env);
        try {
            broker.take("it.unroutable.routed", l -> l.size() >= 1, WAIT);
            pg.execute("insert into orphan_t values (42)");
            assertThatThrownBy(() -> client.getJobExecutionResult().get(3, TimeUnit.MINUTES))
                    .hasStackTraceContaining("could not route message")
                    .hasStackTraceContaining("routing key 'cdc.orphan_t.insert'")
                    .hasStackTraceContaining("NO_ROUTE");
        } finally {
            cancel(client);
        }
        // the insert is still unconfirmed in the slot: no completed checkpoint covers it
        String pending =
                "select count(*) from pg_logical_slot_peek_binary_changes('"
                        + job.source().slot()
                        + "', null, null, 'proto_version', '1', 'publication_names', '"
                        + job.source().publication()
                        + "') where get_byte(data, 0) = 73"; // 'I', an insert
        String count = null;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (count == null) {
            try {
                count = pg.queryOne(pending);
            } catch (IllegalStateException slotStillActive) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(500);
            }
        }
        assertThat(count).isEqualTo("1");
    }

    @Test
    void streamQueueReplaysFromTheFirstMessageOrAnOffset() throws Exception {
        pg.execute(
                "create table replay_t (id int primary key, v text)",
                "insert into replay_t select g, 'snapshot' from generate_series(1, 10) g");
        broker.freshExchange("it-stream");
        broker.deleteQueue("it.stream.replay");
        JobClient client =
                start(
                        job(
                                "rabbit-stream",
                                "public\\.replay_t",
                                "it-stream",
                                "stream-queue: it.stream.replay",
                                "stream-binding-key: cdc.#"),
                        TestJobs.environment());
        try {
            broker.awaitQueue("it.stream.replay", WAIT);
            broker.consumeStream("it.stream.replay", "first", l -> ids(l).size() >= 10, WAIT);
            pg.execute("insert into replay_t select g, 'streamed' from generate_series(11, 20) g");
            List<Message> fromFirst =
                    broker.consumeStream(
                            "it.stream.replay", "first", l -> ids(l).size() >= 20, WAIT);
            assertThat(ids(fromFirst)).hasSize(20);
            assertThat(offsetOf(fromFirst.get(0))).isZero();

            long from = 12;
            List<Message> fromOffset =
                    broker
                            .consumeStream(
                                    "it.stream.replay",
                                    from,
                                    l ->
                                            l.stream()
                                                    .anyMatch(
                                                            m ->
                                                                    offsetOf(m)
                                                                            == fromFirst.size()
                                                                                    - 1),
                                    WAIT)
                            .stream()
                            // a consumer attaching mid-chunk may see the chunk's earlier entries
                            .filter(m -> offsetOf(m) >= from)
                            .toList();
            assertThat(fromOffset.get(0).id()).isEqualTo(fromFirst.get((int) from).id());
            assertThat(fromOffset)
                    .extracting(Message::id)
                    .containsExactlyElementsOf(
                            fromFirst.subList((int) from, fromFirst.size()).stream()
                                    .map(Message::id)
                                    .toList());
            // offsets 10..19 hold the streamed rows 11..20, in commit order
            assertThat(fromOffset)
                    .allMatch(m -> envelope(m).operation() == Operation.INSERT)
                    .extracting(m -> envelope(m).key().json("id"))
                    .containsExactly("13", "14", "15", "16", "17", "18", "19", "20");
        } finally {
            cancel(client);
        }
    }

    static Set<String> keys(List<Message> messages) {
        return messages.stream().map(m -> envelope(m).key().json("id")).collect(Collectors.toSet());
    }

    static long offsetOf(Message m) {
        return Long.parseLong(String.valueOf(m.header("x-stream-offset")));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
