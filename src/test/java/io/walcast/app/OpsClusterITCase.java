package io.walcast.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.testing.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code target/walcast.jar}, unchanged, on a real Flink 1.20.3 standalone session cluster: a
 * JobManager and a TaskManager in their own JVMs started by {@code bin/flink-cluster} from the
 * Flink jars in the local Maven repository, the job submitted with the Flink CLI ({@code flink run
 * -d walcast.jar run job.yaml}), envelopes read from the TaskManager's stdout, walcast's metrics
 * from its Prometheus endpoint, and the source password absent from every log.
 */
class OpsClusterITCase {
    static final String CANARY = "canary-pw-4711";
    static TestPostgres pg;
    @TempDir static Path tmp;
    static Path clusterDir;
    static int restPort;
    static int rpcPort;
    static int promPort;

    @BeforeAll
    static void start() throws Exception {
        pg = TestPostgres.start();
        pg.execute(
                "create table items (id int primary key, v text)",
                "insert into items values (1, 'before the job')");
        clusterDir = tmp.resolve("cluster");
        restPort = freePort();
        rpcPort = freePort();
        promPort = freePort();
        Result started = cluster(Duration.ofMinutes(6), "start");
        assertThat(started.code()).as("bin/flink-cluster start\n" + started.output()).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            cluster(Duration.ofMinutes(2), "stop");
        } finally {
            pg.close();
        }
    }

    @Test
    void jarRunsUnchangedOnAStandaloneSessionCluster() throws Exception {
        Path jar = Path.of("target/walcast.jar").toAbsolutePath();
        assertThat(jar).as("built by mvn package before the ITCases").exists();
        Path job = tmp.resolve("cluster-job.yaml");
        Files.writeString(
                job,
                String.join(
                        "\n",
                        "name: on-cluster",
                        "checkpoint-interval: 2s",
                        "source:",
                        "  hostname: localhost",
                        "  port: " + pg.port(),
                        "  database: postgres",
                        "  username: postgres",
                        "  password: " + CANARY,
                        "  tables: ['public\\.items']",
                        "  heartbeat: 1s",
                        "  slot-lag-poll: 1s",
                        "sinks:",
                        "  stdout: {}"));
        Result submitted =
                cluster(
                        Duration.ofMinutes(4),
                        "flink",
                        "run",
                        "-d",
                        jar.toString(),
                        "run",
                        job.toString());
        assertThat(submitted.code()).as(submitted.output()).isZero();
        Matcher id = Pattern.compile("JobID ([0-9a-f]{32})").matcher(submitted.output());
        assertThat(id.find()).as(submitted.output()).isTrue();

        Path stdout = clusterDir.resolve("log/taskmanager.out");
        awaitLine(
                stdout,
                l -> l.contains("\"operation\":\"snapshot\"") && l.contains("before the job"));
        pg.execute("insert into items values (2, 'while it runs')");
        String insert =
                awaitLine(
                        stdout,
                        l -> l.contains("\"operation\":\"insert\"") && l.contains("while it runs"));
        assertThat(insert).contains("\"table\":\"items\"").contains("\"snapshot\":false");

        String prometheus = awaitPrometheus(promPort + 1, "commitToSinkLatencyMs");
        assertThat(prometheus).contains("currentSlotLagBytes").contains("numEvents");

        Result cancelled = cluster(Duration.ofMinutes(2), "flink", "cancel", id.group(1));
        assertThat(cancelled.code()).as(cancelled.output()).isZero();
        try (var logs = Files.list(clusterDir.resolve("log"))) {
            for (Path log : logs.toList()) {
                assertThat(Files.readString(log, StandardCharsets.ISO_8859_1))
                        .as("password in " + log)
                        .doesNotContain(CANARY);
            }
        }
    }

    private static String awaitLine(Path file, Predicate<String> matches) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (matches.test(line)) {
                        return line;
                    }
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError(
                "no matching envelope in "
                        + file
                        + " within 4 minutes; it holds:\n"
                        + (Files.exists(file) ? Files.readString(file) : "(nothing)")
                        + "\ntaskmanager.log tail:\n"
                        + tail(clusterDir.resolve("log/taskmanager.log")));
    }

    private static String awaitPrometheus(int port, String metric) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpURLConnection http =
                        (HttpURLConnection)
                                URI.create("http://localhost:" + port + "/metrics")
                                        .toURL()
                                        .openConnection();
                try (InputStream in = http.getInputStream()) {
                    last = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (last.contains(metric)) {
                    return last;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no " + metric + " on the TaskManager's Prometheus port: " + last);
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(none)";
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    record Result(int code, String output) {}

    private static Result cluster(Duration timeout, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of("bin/flink-cluster").toAbsolutePath().toString());
        command.addAll(List.of(args));
        Path output = Files.createTempFile(tmp, "flink-cluster", ".txt");
        ProcessBuilder pb =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile());
        pb.environment().put("CLUSTER_DIR", clusterDir.toString());
        pb.environment().put("REST_PORT", String.valueOf(restPort));
        pb.environment().put("RPC_PORT", String.valueOf(rpcPort));
        pb.environment().put("PROM_PORT", String.valueOf(promPort));
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(
                    command
                            + " did not finish within "
                            + timeout
                            + ":\n"
                            + Files.readString(output));
        }
        return new Result(p.exitValue(), Files.readString(output));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
