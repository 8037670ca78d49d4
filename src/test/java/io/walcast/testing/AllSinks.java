package io.walcast.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.EnvelopeJson;
import io.walcast.sink.paimon.PaimonReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Record;
import org.apache.paimon.table.Table;

/**
 * Every real sink at once, for a job run as a process: standard output (read from the process by
 * the test), a RabbitMQ queue bound to an exchange of its own, a Kinesis stream of its own on the
 * emulator, and Paimon tables in a warehouse of its own; each sink's content read back as
 * envelopes, and checked with a {@link LossChecker}.
 */
public final class AllSinks implements AutoCloseable {
    private static final String PAIMON_DATABASE = "app";

    private final RabbitMqBroker rabbit;
    private final KinesisEmulator kinesis;
    private final String exchange;
    private final String queue;
    private final String stream;
    private final Path warehouse;
    private final List<ChangeEnvelope> taken = new ArrayList<>();
    private PaimonReader paimon;
    private Path kinesisDeadLetters;

    private AllSinks(
            RabbitMqBroker rabbit, KinesisEmulator kinesis, String unique, Path warehouse) {
        this.rabbit = rabbit;
        this.kinesis = kinesis;
        this.exchange = "walcast-test-" + unique;
        this.queue = "walcast-test-" + unique + "-all";
        this.stream = "walcast-test-" + unique;
        this.warehouse = warehouse;
    }

    /** A fresh exchange with a queue bound to {@code #}, a 2-shard stream, a new warehouse. */
    public static AllSinks create(
            String name, Path dir, RabbitMqBroker rabbit, KinesisEmulator kinesis)
            throws Exception {
        String unique = name + "-" + Long.toHexString(System.nanoTime());
        AllSinks sinks = new AllSinks(rabbit, kinesis, unique, dir.resolve("warehouse-" + name));
        rabbit.freshExchange(sinks.exchange);
        rabbit.freshQueue(sinks.queue, sinks.exchange, "#", Map.of());
        kinesis.createStream(sinks.stream, 2);
        return sinks;
    }

    /** The {@code sinks:} section of the job definition; {@code kinesisExtra} adds keys. */
    public String yaml(String... kinesisExtra) {
        List<String> lines =
                new ArrayList<>(
                        List.of(
                                "sinks:",
                                "  stdout: {}",
                                "  rabbitmq:",
                                "    uri: " + RabbitMqBroker.URI,
                                "    exchange: " + exchange,
                                "  kinesis:",
                                "    stream: " + stream,
                                "    endpoint: '" + kinesis.endpoint() + "'",
                                "    access-key-id: test",
                                "    secret-access-key: test",
                                "    buffer-time: 100ms"));
        for (String extra : kinesisExtra) {
            lines.add("    " + extra);
        }
        lines.addAll(
                List.of(
                        "  paimon:",
                        "    warehouse: '" + warehouse.toUri() + "'",
                        "    database: " + PAIMON_DATABASE));
        return String.join("\n", lines);
    }

    /** Everything taken off the queue so far, in queue order. */
    public synchronized List<ChangeEnvelope> rabbitmq() throws Exception {
        for (RabbitMqBroker.Message m : rabbit.drain(queue)) {
            ChangeEnvelope e = EnvelopeJson.read(m.body());
            assertThat(m.id()).as("message_id is the envelope id").isEqualTo(e.id());
            taken.add(e);
        }
        return List.copyOf(taken);
    }

    /**
     * From now on the Kinesis sink's content includes the envelopes in this {@code dead-letter-dir}
     * (records over the Kinesis limit), after those on the stream.
     */
    public void withKinesisDeadLetters(Path dir) {
        this.kinesisDeadLetters = dir;
    }

    /** The envelopes in the Kinesis dead-letter directory. */
    public List<ChangeEnvelope> kinesisDeadLetters() throws IOException {
        if (kinesisDeadLetters == null || !Files.isDirectory(kinesisDeadLetters)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(kinesisDeadLetters)) {
            List<ChangeEnvelope> all = new ArrayList<>();
            for (Path f :
                    files.filter(f -> f.getFileName().toString().endsWith(".json"))
                            .sorted()
                            .toList()) {
                all.add(EnvelopeJson.read(Files.readAllBytes(f)));
            }
            return all;
        }
    }

    /** Everything on the stream, shard after shard, each in sequence order. */
    public List<ChangeEnvelope> kinesis() throws Exception {
        List<ChangeEnvelope> all = new ArrayList<>();
        for (List<Record> shard : kinesis.readAll(stream).values()) {
            for (Record r : shard) {
                all.add(EnvelopeJson.read(r.data().asByteArray()));
            }
        }
        return all;
    }

    /** The envelopes of the Paimon history table (no order). */
    public List<ChangeEnvelope> paimonHistory() {
        Table history = paimon().table("walcast_history");
        if (history == null) {
            return List.of();
        }
        return PaimonReader.rows(history).stream()
                .map(r -> EnvelopeJson.read(r.get("envelope").getBytes(StandardCharsets.UTF_8)))
                .toList();
    }

    public PaimonReader paimon() {
        if (paimon == null) {
            paimon = new PaimonReader(warehouse.toUri().toString(), PAIMON_DATABASE);
        }
        return paimon;
    }

    /** What each sink holds, by sink name. */
    public Map<String, List<ChangeEnvelope>> contents(Supplier<List<ChangeEnvelope>> stdout)
            throws Exception {
        Map<String, List<ChangeEnvelope>> all = new LinkedHashMap<>();
        all.put("stdout", stdout.get());
        all.put("rabbitmq", rabbitmq());
        if (kinesisDeadLetters == null) {
            all.put("kinesis", kinesis());
        } else {
            List<ChangeEnvelope> both = new ArrayList<>(kinesis());
            both.addAll(kinesisDeadLetters());
            all.put("kinesis + dead letters", both);
        }
        all.put("paimon history", paimonHistory());
        return all;
    }

    /** Waits until every sink holds every expected change; fails naming the sinks behind. */
    public void awaitCaughtUp(
            LossChecker checker, Supplier<List<ChangeEnvelope>> stdout, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> behind = new ArrayList<>();
            for (var sink : contents(stdout).entrySet()) {
                if (!checker.coveredBy(sink.getValue())) {
                    behind.add(sink.getKey() + " (" + sink.getValue().size() + " envelopes)");
                }
            }
            if (behind.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "not caught up after "
                                + timeout
                                + " with "
                                + checker.expectedCount()
                                + " changes: "
                                + behind);
            }
            Thread.sleep(1000);
        }
    }

    /**
     * Checks every sink and prints its figures: nothing lost, a duplicate always with its id and
     * content, per-row order kept (Paimon's history is a table: no order; it is committed exactly
     * once, so no duplicates either).
     */
    public void assertNothingLost(LossChecker checker, Supplier<List<ChangeEnvelope>> stdout)
            throws Exception {
        for (var sink : contents(stdout).entrySet()) {
            if (sink.getKey().startsWith("paimon")) {
                LossChecker.Report r =
                        checker.checkUnordered(sink.getKey(), sink.getValue()).assertClean();
                assertThat(r.duplicated()).as("paimon history duplicates").isZero();
            } else {
                checker.check(sink.getKey(), sink.getValue()).assertClean();
            }
        }
    }

    /** Waits until each Paimon current-state table equals its Postgres table. */
    public void awaitTablesEqual(TestPostgres pg, List<String> tables, Duration timeout)
            throws Exception {
        for (String t : tables) {
            MaterializedTables.awaitEqual(pg, paimon(), t, t, timeout);
        }
        System.out.println("LOSS CHECK paimon current state: " + tables + " equal to Postgres");
    }

    @Override
    public void close() throws Exception {
        if (paimon != null) {
            paimon.close();
        }
    }
}
