package io.walcast.bench;

import io.walcast.testing.KinesisEmulator;
import io.walcast.testing.RabbitMqBroker;
import io.walcast.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything that drains one backlog: {@code pg_recvlogical}, the bare Flink CDC source, walcast
 * into a discarding sink, into each real sink alone and into all of them, and optionally the
 * Debezium Server peer. Every consumer has its own slot; all are set up (walcast ones primed and
 * stopped) before the backlog is committed, then each drains it alone.
 */
final class BacklogDrains {
    /** A walcast consumer and how to tell that its sinks received everything. */
    private record Drain(WalcastConsumer consumer, ReceiptFactory receipt) {}

    private interface ReceiptFactory {
        /** {@code null}: the drain job's own counting sink. */
        Receipt create() throws Exception;
    }

    static final String WALCAST_DISCARDING = "walcast, discarding sink";

    /** A sink the job definition needs to be valid; the counting kinds replace it. */
    private static final String STDOUT = "sinks:\n  stdout: {}\n";

    private final TestPostgres pg;
    private final RabbitMqBroker broker;
    private final KinesisEmulator kinesis;
    private final Path work;
    private final boolean peer;
    private final Duration cap;
    private final List<String> notes;

    /** {@code null}, or the {@code --only} mode: {@code kinesis} or {@code rabbitmq}. */
    private final String only;

    BacklogDrains(
            TestPostgres pg,
            RabbitMqBroker broker,
            KinesisEmulator kinesis,
            Path work,
            boolean peer,
            Duration cap,
            List<String> notes,
            String only) {
        this.only = only;
        this.cap = cap;
        this.notes = notes;
        this.pg = pg;
        this.broker = broker;
        this.kinesis = kinesis;
        this.work = work;
        this.peer = peer;
    }

    /** The Kinesis streams the drains of {@code backlog} write to (the emulator creates them). */
    static List<String> kinesisStreams(Backlog backlog) {
        return backlog == Backlog.UPDATES
                ? List.of()
                : List.of(name(backlog, "kinesis"), name(backlog, "all"));
    }

    private static String name(Backlog backlog, String consumer) {
        return backlog.table.replace('_', '-') + "-" + consumer;
    }

    List<DrainResult> run(Backlog backlog, int rows) throws Exception {
        backlog.createTable(pg, rows);
        PgRecvLogical.createSlot(pg, backlog);
        if (peer) {
            DebeziumServerPeer.prepare(pg, broker, backlog);
        }
        List<Drain> drains = drains(backlog);
        for (Drain d : drains) {
            d.consumer().prime(pg, backlog.initialRows(rows));
        }
        System.err.printf("bench: building the %s backlog (%d rows)%n", backlog.label, rows);
        backlog.build(pg, rows);
        int events = backlog.events(rows);

        List<DrainResult> results = new ArrayList<>();
        if (!"kinesis".equals(only)) {
            results.add(PgRecvLogical.drain(pg, backlog, events));
        }
        for (Drain d : drains) {
            results.add(d.consumer().drain(pg, backlog.label, events, d.receipt().create(), cap));
        }
        if (peer) {
            // The peer is someone else's software: when it fails, say so and go on.
            try {
                results.add(DebeziumServerPeer.drain(pg, broker, backlog, events, work, cap));
            } catch (RuntimeException e) {
                System.err.println("bench: Debezium Server failed: " + e.getMessage());
                notes.add("Debezium Server on " + backlog.label + " failed: " + e.getMessage());
            }
        }
        dropSlots(backlog);
        return results;
    }

    /** Frees this backlog's slots: Postgres has a fixed number of them. */
    private void dropSlots(Backlog backlog) throws InterruptedException {
        String mine = "slot_name like '%" + backlog.table + "%'";
        for (int i = 0;
                i < 100
                        && !pg.queryOne("select count(*) from pg_replication_slots where " + mine)
                                .equals("0");
                i++) {
            pg.queryOne(
                    "select count(pg_drop_replication_slot(slot_name)) from pg_replication_slots"
                            + " where not active and "
                            + mine);
            Thread.sleep(100);
        }
    }

    private List<Drain> drains(Backlog backlog) throws Exception {
        List<Drain> drains = new ArrayList<>();
        if ("kinesis".equals(only)) {
            drains.add(kinesisDrain(backlog));
            return drains;
        }
        if (backlog == Backlog.UPDATES) {
            drains.add(counting(backlog, "walcast, discarding sink, previous: state", "state", ""));
            drains.add(
                    counting(
                            backlog,
                            "walcast, discarding sink, previous: none",
                            "none",
                            "previous:\n  default: none\n"));
            return drains;
        }
        drains.add(
                new Drain(
                        consumer(
                                backlog,
                                "bare Flink CDC source, discarding sink",
                                "bare",
                                "bare",
                                STDOUT),
                        () -> null));
        drains.add(counting(backlog, WALCAST_DISCARDING, "count", ""));
        drains.add(
                new Drain(
                        consumer(
                                backlog,
                                "walcast, RabbitMQ",
                                "rabbitmq",
                                "sinks",
                                "sinks:\n" + rabbitYaml(name(backlog, "rabbitmq"))),
                        () -> rabbitReceipt(name(backlog, "rabbitmq"))));
        if ("rabbitmq".equals(only)) {
            return drains;
        }
        drains.add(kinesisDrain(backlog));
        Path paimonWarehouse = Files.createDirectories(work.resolve(name(backlog, "paimon-wh")));
        drains.add(
                new Drain(
                        consumer(
                                backlog,
                                "walcast, Paimon",
                                "paimon",
                                "sinks",
                                "sinks:\n" + paimonYaml(paimonWarehouse)),
                        () -> Receipt.paimonHistory(paimonWarehouse, "bench")));

        String all = name(backlog, "all");
        Path allWarehouse = Files.createDirectories(work.resolve(all + "-wh"));
        drains.add(
                new Drain(
                        consumer(
                                backlog,
                                "walcast, all sinks",
                                "all",
                                "sinks",
                                "sinks:\n"
                                        + rabbitYaml(all)
                                        + kinesisYaml(all)
                                        + paimonYaml(allWarehouse)),
                        () ->
                                Receipt.slowestOf(
                                        List.of(
                                                rabbitReceipt(all),
                                                kinesisReceipt(all),
                                                Receipt.paimonHistory(allWarehouse, "bench")))));
        return drains;
    }

    private Drain kinesisDrain(Backlog backlog) throws Exception {
        return new Drain(
                consumer(
                        backlog,
                        "walcast, Kinesis (emulator)",
                        "kinesis",
                        "sinks",
                        "sinks:\n" + kinesisYaml(name(backlog, "kinesis"))),
                () -> kinesisReceipt(name(backlog, "kinesis")));
    }

    private Drain counting(Backlog backlog, String label, String suffix, String yaml)
            throws Exception {
        return new Drain(consumer(backlog, label, suffix, "count", yaml + STDOUT), () -> null);
    }

    private WalcastConsumer consumer(
            Backlog backlog, String label, String suffix, String kind, String yaml)
            throws Exception {
        return new WalcastConsumer(
                pg, work, label, name(backlog, suffix), backlog.table, kind, yaml);
    }

    static String rabbitYaml(String exchange) {
        return "  rabbitmq: {uri: '"
                + RabbitMqBroker.URI
                + "', exchange: "
                + exchange
                + ", declare-exchange: true}\n";
    }

    String kinesisYaml(String stream) {
        return "  kinesis: {stream: "
                + stream
                + ", region: us-east-1, endpoint: '"
                + kinesis.endpoint()
                + "', access-key-id: test, secret-access-key: test}\n";
    }

    static String paimonYaml(Path warehouse) {
        return "  paimon: {warehouse: '"
                + warehouse.toUri()
                + "', database: bench, history: true}\n";
    }

    private Receipt rabbitReceipt(String exchange) throws Exception {
        broker.freshQueue(exchange, exchange, "#", null);
        return Receipt.rabbitQueue(broker, exchange);
    }

    private Receipt kinesisReceipt(String stream) throws Exception {
        return Receipt.kinesisStream(kinesis.tail(stream));
    }
}
