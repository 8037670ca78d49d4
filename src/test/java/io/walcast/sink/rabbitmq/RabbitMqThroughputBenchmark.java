package io.walcast.sink.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.app.Sinks;
import io.walcast.config.JobConfig;
import io.walcast.sink.EnvelopeSink;
import io.walcast.testing.CountingSink;
import io.walcast.testing.RabbitMqBroker;
import io.walcast.testing.TestJobs;
import io.walcast.testing.TestPostgres;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Messages per second into RabbitMQ with publisher confirms for a 200k-row WAL backlog (one
 * transaction committed while the job streams), next to the same run with only a counting sink. Not
 * part of {@code mvn verify}; run it with {@code -Dit.test=RabbitMqThroughputBenchmark}.
 */
class RabbitMqThroughputBenchmark {
    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    static final int ROWS = 200_000;

    @Test
    void confirmedPublishingComparedWithNoSink() throws Exception {
        try (TestPostgres pg = TestPostgres.start();
                RabbitMqBroker broker = new RabbitMqBroker()) {
            double baseline =
                    run(
                            pg,
                            "bench_none",
                            "  stdout: {}",
                            List.of(new CountingSink()),
                            CountingSink.COUNT::get);

            broker.freshExchange("bench");
            broker.freshQueue("bench.all", "bench", "cdc.#", null);
            String sink =
                    String.join(
                            "\n",
                            "  rabbitmq:",
                            "    uri: " + RabbitMqBroker.URI,
                            "    exchange: bench");
            JobConfig probe = pg.job("bench-probe", "public\\.none", "sinks:\n" + sink);
            double rabbit =
                    run(
                            pg,
                            "bench_rabbit",
                            sink,
                            Sinks.fromConfig(probe, List.of()),
                            () -> count(broker));
            broker.deleteQueue("bench.all");
            System.out.printf(
                    "%nBENCHMARK %d-row backlog: no sink %.0f ev/s, RabbitMQ with confirms %.0f"
                            + " msg/s, ratio %.2f%n",
                    ROWS, baseline, rabbit, rabbit / baseline);
        }
    }

    private static long count(RabbitMqBroker broker) {
        try {
            return broker.messageCount("bench.all");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Streams a one-transaction backlog of {@link #ROWS} rows; returns events per second. */
    private static double run(
            TestPostgres pg,
            String table,
            String sinkYaml,
            List<EnvelopeSink> sinks,
            LongSupplier count)
            throws Exception {
        pg.execute(
                "create table "
                        + table
                        + " (id int primary key, v text, n numeric, t timestamptz)");
        JobConfig job = pg.job(table.replace('_', '-'), "public\\." + table, "sinks:\n" + sinkYaml);
        JobClient client = TestJobs.start(job, sinks);
        try {
            pg.execute("insert into " + table + " values (0, 'marker', 0, now())");
            await(count, 1, Duration.ofMinutes(3));
            long before = count.getAsLong();
            pg.execute(
                    "insert into "
                            + table
                            + " select g, md5(g::text), g * 1.5, now() from generate_series(1, "
                            + ROWS
                            + ") g");
            await(count, before + 1, Duration.ofMinutes(3));
            long first = System.nanoTime();
            await(count, before + ROWS, Duration.ofMinutes(10));
            double seconds = (System.nanoTime() - first) / 1e9;
            assertThat(count.getAsLong()).isGreaterThanOrEqualTo(before + ROWS);
            return ROWS / seconds;
        } finally {
            client.cancel().get();
        }
    }

    private static void await(LongSupplier count, long target, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count.getAsLong() < target) {
            assertThat(System.nanoTime())
                    .as("reached " + count.getAsLong() + " of " + target)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
