package io.walcast.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.EnvelopeJson;
import io.walcast.envelope.Lsn;
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
    private boolean withoutKinesis;
    private KinesisEmulator.Tail kinesisTail;
    private final Map<String, List<ChangeEnvelope>> kinesisEnvelopes = new LinkedHashMap<>();

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

    /**
     * Leaves Kinesis out of {@link #yaml} and {@link #contents}: for loads the emulator cannot take
     * in a test's time (one Node process, slower the fuller a stream gets: at 100k records it holds
     * up the whole job for many minutes).
     */
    public AllSinks withoutKinesis() {
        withoutKinesis = true;
        return this;
    }

    /** The {@code sinks:} section of the job definition; {@code kinesisExtra} adds keys. */
    public String yaml(String... kinesisExtra) {
        List<String> lines = new ArrayList<>(List.of("sinks:", "  stdout: {}"));
        lines.addAll(rabbitMqYaml());
        if (!withoutKinesis) {
            lines.addAll(
                    List.of(
                            "  kinesis:",
                            "    stream: " + stream,
                            "    endpoint: '" + kinesis.endpoint() + "'",
                            "    access-key-id: test",
                            "    secret-access-key: test",
                            "    buffer-time: 100ms"));
            for (String extra : kinesisExtra) {
                lines.add("    " + extra);
            }
        }
        lines.addAll(paimonYaml());
        return String.join("\n", lines);
    }

    private List<String> rabbitMqYaml() {
        return List.of(
                "  rabbitmq:", "    uri: " + RabbitMqBroker.URI, "    exchange: " + exchange);
    }

    private List<String> paimonYaml() {
        return List.of(
                "  paimon:",
                "    warehouse: '" + warehouse.toUri() + "'",
                "    database: " + PAIMON_DATABASE);
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

    /** Everything on the stream so far, shard after shard, each in sequence order. */
    public synchronized List<ChangeEnvelope> kinesis() throws Exception {
        if (kinesisTail == null) {
            kinesisTail = kinesis.tail(stream);
        }
        while (!kinesisTail.poll(
                (shard, r) ->
                        kinesisEnvelopes
                                .computeIfAbsent(shard, k -> new ArrayList<>())
                                .add(EnvelopeJson.read(r.data().asByteArray())))) {
            // the busy emulator did not answer a read: go on from there
        }
        return kinesisEnvelopes.values().stream().flatMap(List::stream).toList();
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
        if (withoutKinesis) {
            // not configured
        } else if (kinesisDeadLetters == null) {
            all.put("kinesis", kinesis());
        } else {
            List<ChangeEnvelope> both = new ArrayList<>(kinesis());
            both.addAll(kinesisDeadLetters());
            all.put("kinesis + dead letters", both);
        }
        all.put("paimon history", paimonHistory());
        return all;
    }

    /**
     * Waits until every sink holds every expected change, while {@code walcast} runs; fails naming
     * the sinks behind, with the job's last log lines, as soon as the job has exited or the time is
     * up.
     */
    public void awaitCaughtUp(
            LossChecker checker,
            Supplier<List<ChangeEnvelope>> stdout,
            WalcastProcess walcast,
            Duration timeout)
            throws Exception {
        awaitCaughtUp(checker, stdout, walcast, () -> "", timeout);
    }

    /** As above; a failure also shows what the slot did. */
    public void awaitCaughtUp(
            LossChecker checker,
            Supplier<List<ChangeEnvelope>> stdout,
            WalcastProcess walcast,
            SlotWatch slot,
            Duration timeout)
            throws Exception {
        awaitCaughtUp(checker, stdout, walcast, () -> slot.summary() + "\n", timeout);
    }

    private void awaitCaughtUp(
            LossChecker checker,
            Supplier<List<ChangeEnvelope>> stdout,
            WalcastProcess walcast,
            Supplier<String> slotSummary,
            Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> behind = behind(checker, stdout);
            if (behind.isEmpty()) {
                return;
            }
            boolean exited = !walcast.isAlive();
            if (exited || System.nanoTime() > deadline) {
                List<String> log = walcast.stderr().lines().toList();
                throw new AssertionError(
                        (exited ? "the job exited" : "not caught up after " + timeout)
                                + " with "
                                + checker.expectedCount()
                                + " changes: "
                                + behind
                                + "\n"
                                + slotSummary.get()
                                + "the job's last log lines:\n"
                                + String.join(
                                        "\n",
                                        log.subList(Math.max(0, log.size() - 80), log.size())));
            }
            Thread.sleep(1000);
        }
    }

    /** The sinks that do not yet hold every expected change, each with its first missing ones. */
    private List<String> behind(LossChecker checker, Supplier<List<ChangeEnvelope>> stdout)
            throws Exception {
        List<String> behind = new ArrayList<>();
        for (var sink : contents(stdout).entrySet()) {
            if (!checker.coveredBy(sink.getValue())) {
                List<LossChecker.Change> missing =
                        checker.checkUnordered(sink.getKey(), sink.getValue()).lost();
                behind.add(
                        sink.getKey()
                                + " ("
                                + sink.getValue().size()
                                + " envelopes, missing "
                                + missing.subList(0, Math.min(5, missing.size()))
                                + ")");
            }
        }
        return behind;
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

    /**
     * Checks that no sink repeats a change committed before {@code position}, the slot's confirmed
     * position when the job died: the checkpoint it resumes from is at or after it, because the
     * slot only moves to completed checkpoints.
     */
    public void assertRepeatsOnlyAfter(
            LossChecker checker, long position, Supplier<List<ChangeEnvelope>> stdout)
            throws Exception {
        for (var sink : contents(stdout).entrySet()) {
            List<LossChecker.Change> early = checker.repeatedFromBefore(position, sink.getValue());
            System.out.println(
                    "LOSS CHECK "
                            + sink.getKey()
                            + ": "
                            + early.size()
                            + " repeated changes committed before the slot's position at the"
                            + " failure, "
                            + Lsn.format(position));
            assertThat(early).as(sink.getKey() + ": repeated from before the checkpoint").isEmpty();
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
