package io.walcast.ops;

import io.walcast.config.SourceConfig;
import io.walcast.source.PostgresConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls how much WAL the job's replication slot holds back ({@code pg_current_wal_lsn() -
 * confirmed_flush_lsn}) on a background thread with its own JDBC connection, and warns while it is
 * above {@code source.slot-lag-alarm-mb}: Postgres keeps every byte of it on disk.
 */
public final class SlotLagMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SlotLagMonitor.class);
    static final String LAG =
            "select (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint from pg_replication_slots"
                    + " where slot_name = ?";

    private final SourceConfig source;
    private final long alarmBytes;
    private volatile long lagBytes = -1;
    private volatile boolean alarm;
    private ScheduledExecutorService executor;
    private Connection connection;
    private boolean failing;

    public SlotLagMonitor(SourceConfig source) {
        this.source = source;
        this.alarmBytes = source.slotLagAlarmMb() * 1024L * 1024L;
    }

    /** Polls now, then every {@code source.slot-lag-poll}. */
    public SlotLagMonitor start() {
        executor =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "walcast-slot-lag-" + source.slot());
                            t.setDaemon(true);
                            return t;
                        });
        executor.scheduleWithFixedDelay(
                this::poll, 0, source.slotLagPoll().toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Bytes of WAL the slot retains, or -1 before the first reading or without a slot. */
    public long lagBytes() {
        return lagBytes;
    }

    /** 1 while the lag is above the alarm threshold, else 0. */
    public int alarm() {
        return alarm ? 1 : 0;
    }

    void poll() {
        try {
            if (connection == null) {
                connection = PostgresConnections.open(source);
            }
            long lag = -1;
            try (PreparedStatement st = connection.prepareStatement(LAG)) {
                st.setString(1, source.slot());
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        lag = rs.getLong(1);
                        lag = rs.wasNull() ? -1 : lag;
                    }
                }
            }
            record(lag);
            failing = false;
        } catch (SQLException | RuntimeException e) {
            if (!failing) {
                LOG.warn(
                        "cannot read the lag of replication slot {}: {}; retrying every {}",
                        source.slot(),
                        e.getMessage(),
                        source.slotLagPoll());
            }
            failing = true;
            closeConnection();
        }
    }

    void record(long lag) {
        lagBytes = lag;
        boolean above = lag > alarmBytes;
        if (above && !alarm) {
            LOG.warn(
                    "replication slot {} retains {} MB of WAL, above source.slot-lag-alarm-mb {}:"
                            + " Postgres keeps it on disk until the job's checkpoints confirm it;"
                            + " check that checkpoints complete and the sinks keep up",
                    source.slot(),
                    lag / (1024 * 1024),
                    source.slotLagAlarmMb());
        } else if (!above && alarm) {
            LOG.info(
                    "replication slot {} lag is back to {} MB, below source.slot-lag-alarm-mb {}",
                    source.slot(),
                    lag / (1024 * 1024),
                    source.slotLagAlarmMb());
        }
        alarm = above;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is broken already
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeConnection();
    }
}
