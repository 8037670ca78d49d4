package io.walcast.bench;

import io.walcast.testing.RabbitMqBroker;
import io.walcast.testing.TestPostgres;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The peer: Debezium Server 3.0.8 (unpacked by {@code bin/bench --peer} into {@code
 * target/peer/debezium-server}) with its Postgres source and RabbitMQ sink, set up like walcast:
 * pgoutput, its own slot created before the backlog, the same publication, the same Debezium batch
 * and queue sizes, offsets flushed every second (walcast checkpoints every second), publisher
 * confirms (its sink waits for them per batch). Drained means every change is in a queue bound to
 * its exchange.
 */
final class DebeziumServerPeer {
    static final Path HOME = Path.of("target", "peer", "debezium-server").toAbsolutePath();

    private DebeziumServerPeer() {}

    /** Why the peer cannot run here, or empty when it can. */
    static Optional<String> unavailable() {
        if (!Files.isDirectory(HOME.resolve("lib"))) {
            return Optional.of(
                    "Debezium Server is not unpacked in "
                            + HOME
                            + " (bin/bench --peer could not fetch it)");
        }
        if (java().isEmpty()) {
            return Optional.of(
                    "Debezium Server 3.0 needs Java 21 or newer and none was found (set"
                            + " PEER_JAVA_HOME, or install one under /usr/lib/jvm)");
        }
        return Optional.empty();
    }

    /** Debezium Server 3.0 is built for Java 21: $PEER_JAVA_HOME, else the newest JDK ≥ 21. */
    static Optional<Path> java() {
        String home = System.getenv("PEER_JAVA_HOME");
        if (home != null) {
            return Optional.of(Path.of(home, "bin", "java"));
        }
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            return jdks.filter(j -> featureVersion(j) >= 21)
                    .max(Comparator.comparingInt(DebeziumServerPeer::featureVersion))
                    .map(j -> j.resolve("bin").resolve("java"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The feature version in a JDK's {@code release} file ({@code JAVA_VERSION="25.0.3"}). */
    private static int featureVersion(Path jdk) {
        try {
            for (String line : Files.readAllLines(jdk.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return Integer.parseInt(line.replaceAll("^JAVA_VERSION=\"(\\d+).*", "$1"));
                }
            }
        } catch (IOException | RuntimeException noJdk) {
            // not a JDK
        }
        return 0;
    }

    static String slot(Backlog backlog) {
        return backlog.table + "_peer";
    }

    static String exchange(Backlog backlog) {
        return "bench-peer-" + backlog.table;
    }

    /** Before the backlog: its slot (so it starts where the backlog starts) and its queue. */
    static void prepare(TestPostgres pg, RabbitMqBroker broker, Backlog backlog) throws Exception {
        pg.execute(
                "select pg_create_logical_replication_slot('" + slot(backlog) + "', 'pgoutput')");
        broker.freshExchange(exchange(backlog));
        broker.freshQueue(exchange(backlog), exchange(backlog), "#", null);
    }

    static DrainResult drain(
            TestPostgres pg,
            RabbitMqBroker broker,
            Backlog backlog,
            int events,
            Path logs,
            Duration cap)
            throws Exception {
        System.err.printf("bench: draining %s with Debezium Server%n", backlog.label);
        Path data = Files.createDirectories(HOME.resolve("data"));
        Files.deleteIfExists(data.resolve(backlog.table + ".offsets"));
        Files.writeString(HOME.resolve("config/application.properties"), properties(pg, backlog));
        List<String> command =
                List.of(
                        java().orElseThrow().toString(),
                        ChildJvm.HEAP,
                        ProcStats.KEEP_COMPILER_THREADS,
                        "-cp",
                        String.join(
                                ":",
                                "debezium-server-dist-3.0.8.Final-runner.jar",
                                "config/lib",
                                "lib/*"),
                        "io.debezium.server.Main");
        Path log = logs.resolve("debezium-server-" + backlog.table + ".log");
        long t0 = System.currentTimeMillis();
        MachineCpu.Sample machine = MachineCpu.Sample.now();
        Process p =
                new ProcessBuilder(command)
                        .directory(HOME.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        try {
            Receipt receipt = Receipt.rabbitQueue(broker, exchange(backlog));
            long[] walsender = {-1};
            Receipt.Progress r =
                    receipt.await(
                            events,
                            cap,
                            () -> {
                                if (!p.isAlive()) {
                                    throw new IllegalStateException(
                                            "Debezium Server exited; see " + log);
                                }
                                if (walsender[0] < 0) {
                                    walsender[0] = Slots.activePid(pg, slot(backlog));
                                }
                            });
            return new DrainResult(
                    backlog.label,
                    "Debezium Server 3.0.8, RabbitMQ sink (peer)",
                    events,
                    r.count(),
                    (r.lastMillis() - t0) / 1000.0,
                    (r.lastMillis() - r.firstMillis()) / 1000.0,
                    ProcStats.cpuSeconds(p.pid()),
                    ProcStats.compilerCpuSeconds(p.pid()),
                    ProcStats.cpuSeconds(
                            Math.max(walsender[0], Slots.activePid(pg, slot(backlog)))),
                    ProcStats.peakRssMiB(p.pid()),
                    MachineCpu.Window.between(machine, MachineCpu.Sample.now()));
        } finally {
            p.destroyForcibly();
            p.waitFor(1, TimeUnit.MINUTES);
            Slots.awaitInactive(pg, slot(backlog));
        }
    }

    static String properties(TestPostgres pg, Backlog backlog) throws Exception {
        return String.join(
                "\n",
                "debezium.sink.type=rabbitmq",
                "debezium.sink.rabbitmq.connection.host=127.0.0.1",
                "debezium.sink.rabbitmq.connection.port=5672",
                "debezium.sink.rabbitmq.connection.username=guest",
                "debezium.sink.rabbitmq.connection.password=guest",
                "debezium.sink.rabbitmq.exchange=" + exchange(backlog),
                "debezium.sink.rabbitmq.routingKey=cdc.peer",
                "debezium.source.connector.class=io.debezium.connector.postgresql.PostgresConnector",
                "debezium.source.offset.storage.file.filename=data/" + backlog.table + ".offsets",
                "debezium.source.offset.flush.interval.ms=1000",
                "debezium.source.database.hostname=127.0.0.1",
                "debezium.source.database.port=" + pg.port(),
                "debezium.source.database.user=postgres",
                "debezium.source.database.password=postgres",
                "debezium.source.database.dbname=postgres",
                "debezium.source.topic.prefix=peer",
                "debezium.source.plugin.name=pgoutput",
                "debezium.source.slot.name=" + slot(backlog),
                "debezium.source.publication.name=" + backlog.table + "_pub",
                "debezium.source.publication.autocreate.mode=disabled",
                "debezium.source.table.include.list=public." + backlog.table,
                "debezium.source.snapshot.mode=no_data",
                "debezium.source.decimal.handling.mode=string",
                "debezium.source.max.batch.size=10240",
                "debezium.source.max.queue.size=40960",
                "debezium.source.poll.interval.ms=50",
                "debezium.format.key=json",
                "debezium.format.value=json",
                "debezium.format.key.schemas.enable=false",
                "debezium.format.value.schemas.enable=false",
                "quarkus.http.port=" + freePort(),
                "quarkus.log.level=WARN",
                "quarkus.log.category.\"io.debezium.server\".level=INFO",
                "");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
