package io.walcast.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a job run as a process writes through in the fault and bad-input tests: an embedded
 * Postgres, the RabbitMQ broker and a Kinesis emulator, started once per test class.
 */
public final class RealSystems implements AutoCloseable {
    private final TestPostgres pg;
    private final KinesisEmulator kinesis;
    private final RabbitMqBroker rabbit;

    private RealSystems(TestPostgres pg, KinesisEmulator kinesis, RabbitMqBroker rabbit) {
        this.pg = pg;
        this.kinesis = kinesis;
        this.rabbit = rabbit;
    }

    public static RealSystems start() throws Exception {
        TestPostgres pg = TestPostgres.start();
        KinesisEmulator kinesis = null;
        try {
            kinesis = KinesisEmulator.start(Map.of());
            return new RealSystems(pg, kinesis, new RabbitMqBroker());
        } catch (Exception | Error e) {
            if (kinesis != null) {
                kinesis.close();
            }
            pg.close();
            throw e;
        }
    }

    public TestPostgres pg() {
        return pg;
    }

    /** Every sink, each with names of its own, for one job. */
    public AllSinks sinks(String name, Path dir) throws Exception {
        return AllSinks.create(name, dir, rabbit, kinesis);
    }

    /**
     * Writes {@code <dir>/<name>.yaml} capturing {@code public.<tables>}; {@code more} goes under
     * {@code source:} and may start {@code sinks:}.
     */
    public Path writeJob(Path dir, String name, String tables, String more) throws Exception {
        Path job = dir.resolve(name + ".yaml");
        Files.writeString(job, pg.jobYaml(name, "public\\." + tables, more));
        return job;
    }

    @Override
    public void close() throws Exception {
        try (pg;
                kinesis;
                rabbit) {
            // closed in reverse order
        }
    }
}
