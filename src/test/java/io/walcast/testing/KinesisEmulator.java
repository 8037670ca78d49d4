package io.walcast.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.http.Protocol;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.regions.Region;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Record;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Shard;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * The Kinesis emulator (npm {@code kinesis-local}, installed by {@code bin/test} from {@code
 * test-infra/kinesis/package-lock.json}) as a child process on free ports, with a client and a
 * reader of everything on a stream, shard by shard in sequence order.
 */
public final class KinesisEmulator implements AutoCloseable {
    public static final String REGION = "us-east-1";

    private final Process process;
    private final int port;
    private final File log;
    private final KinesisAsyncClient client;

    private KinesisEmulator(Process process, int port, File log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.client =
                KinesisAsyncClient.builder()
                        .region(Region.of(REGION))
                        .endpointOverride(URI.create(endpoint()))
                        .credentialsProvider(
                                StaticCredentialsProvider.create(
                                        AwsBasicCredentials.create("test", "test")))
                        .httpClient(
                                NettyNioAsyncHttpClient.builder()
                                        .protocol(Protocol.HTTP1_1)
                                        .build())
                        .build();
    }

    /** Starts the emulator with the given streams ({@code name → shard count}), all ACTIVE. */
    public static KinesisEmulator start(Map<String, Integer> streams) throws Exception {
        Path pkg = Path.of("test-infra/kinesis/node_modules/kinesis-local").toAbsolutePath();
        if (!Files.isRegularFile(pkg.resolve("main.js"))) {
            throw new IllegalStateException(
                    "Kinesis emulator not installed at "
                            + pkg
                            + ": run bin/test (it runs npm ci in test-infra/kinesis)");
        }
        int tlsPort = freePort();
        int plainPort = freePort();
        List<String> init = new ArrayList<>();
        streams.forEach((name, shards) -> init.add(name + ":" + shards));
        Path log = Path.of("target", "kinesis-emulator-" + plainPort + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb =
                new ProcessBuilder("node", pkg.resolve("main.js").toString())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("KINESIS_MOCK_CERT_PATH", pkg.resolve("server.json").toString());
        env.put("KINESIS_MOCK_TLS_PORT", String.valueOf(tlsPort));
        env.put("KINESIS_MOCK_PLAIN_PORT", String.valueOf(plainPort));
        if (!init.isEmpty()) { // the emulator rejects an empty list
            env.put("INITIALIZE_STREAMS", String.join(",", init));
        }
        env.put("LOG_LEVEL", "WARN");
        env.put("SHOULD_PERSIST_DATA", "false");
        Process process = pb.start();
        // A test JVM that is killed must not leave the emulator running.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        KinesisEmulator emulator = new KinesisEmulator(process, plainPort, log.toFile());
        try {
            emulator.awaitActive(streams.keySet(), Duration.ofMinutes(2));
        } catch (Exception e) {
            emulator.close();
            throw e;
        }
        return emulator;
    }

    /** Creates a stream and waits until it is ACTIVE. */
    public void createStream(String stream, int shards) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            try {
                client.createStream(b -> b.streamName(stream).shardCount(shards))
                        .get(1, TimeUnit.MINUTES);
                break;
            } catch (Exception notListeningYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw notListeningYet;
                }
                Thread.sleep(200);
            }
        }
        awaitActive(List.of(stream), Duration.ofMinutes(1));
    }

    private void awaitActive(Iterable<String> streams, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String stream : streams) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "Kinesis emulator exited: " + Files.readString(log.toPath()));
                }
                try {
                    StreamStatus status =
                            client.describeStreamSummary(b -> b.streamName(stream))
                                    .get(10, TimeUnit.SECONDS)
                                    .streamDescriptionSummary()
                                    .streamStatus();
                    if (status == StreamStatus.ACTIVE) {
                        break;
                    }
                } catch (Exception notYet) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "Kinesis emulator not ready after " + timeout + "; log " + log,
                                notYet);
                    }
                }
                Thread.sleep(200);
            }
        }
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public KinesisAsyncClient client() {
        return client;
    }

    /** Everything on the stream: shard id → its records in sequence order. */
    public Map<String, List<Record>> readAll(String stream) throws Exception {
        Map<String, List<Record>> byShard = new LinkedHashMap<>();
        Tail tail = tail(stream);
        while (!tail.poll(
                (shard, r) -> byShard.computeIfAbsent(shard, k -> new ArrayList<>()).add(r))) {
            // a read the busy emulator did not answer: go on from there
        }
        return byShard;
    }

    /** A reader of every shard of {@code stream} from its start, as a consumer would read it. */
    public Tail tail(String stream) throws Exception {
        return new Tail(stream);
    }

    /**
     * Follows the shards of a stream: each {@link #poll} reads only what arrived since the last, so
     * a stream of many records can be polled without reading it all again each time.
     */
    public final class Tail {
        private final Map<String, String> iterators = new LinkedHashMap<>();
        private long count;

        private Tail(String stream) throws Exception {
            for (Shard shard :
                    client.listShards(b -> b.streamName(stream))
                            .get(1, TimeUnit.MINUTES)
                            .shards()) {
                iterators.put(
                        shard.shardId(),
                        client.getShardIterator(
                                        b ->
                                                b.streamName(stream)
                                                        .shardId(shard.shardId())
                                                        .shardIteratorType(
                                                                ShardIteratorType.TRIM_HORIZON))
                                .get(1, TimeUnit.MINUTES)
                                .shardIterator());
            }
        }

        /**
         * Hands over what arrived since the last poll (shard id, record), each shard in sequence
         * order. A read the emulator does not answer within a minute (it is slow while it takes
         * records in) ends the poll; the next one goes on from there.
         *
         * @return whether every shard was read to its end
         */
        public synchronized boolean poll(BiConsumer<String, Record> onRecord) throws Exception {
            for (var shard : iterators.entrySet()) {
                while (true) {
                    String it = shard.getValue();
                    GetRecordsResponse r;
                    try {
                        r =
                                client.getRecords(b -> b.shardIterator(it).limit(2_000))
                                        .get(1, TimeUnit.MINUTES);
                    } catch (TimeoutException busy) {
                        return false;
                    }
                    shard.setValue(r.nextShardIterator());
                    r.records().forEach(record -> onRecord.accept(shard.getKey(), record));
                    count += r.records().size();
                    if (r.records().isEmpty()) {
                        break;
                    }
                }
            }
            return true;
        }

        /** Records handed over so far. */
        public synchronized long count() {
            return count;
        }
    }

    /** Number of records on the stream. */
    public int count(String stream) throws Exception {
        return readAll(stream).values().stream().mapToInt(List::size).sum();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
