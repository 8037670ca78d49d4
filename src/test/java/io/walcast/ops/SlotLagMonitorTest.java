package io.walcast.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.config.JobConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlotLagMonitorTest {
    static final String JOB =
            String.join(
                    "\n",
                    "name: lag",
                    "checkpoint-interval: 1s",
                    "source: {hostname: h, database: d, username: u, slot-lag-alarm-mb: 2}",
                    "sinks: {stdout: {}}");

    @Test
    void alarmRaisesAboveThresholdAndClearsBelow() {
        SlotLagMonitor m = new SlotLagMonitor(JobConfig.parse(JOB, "t", Map.of()).source());
        assertThat(m.lagBytes()).isEqualTo(-1);
        m.record(1024 * 1024);
        assertThat(m.alarm()).isZero();
        m.record(3 * 1024 * 1024);
        assertThat(m.lagBytes()).isEqualTo(3 * 1024 * 1024);
        assertThat(m.alarm()).isEqualTo(1);
        m.record(0);
        assertThat(m.alarm()).isZero();
    }

    @Test
    void heartbeatActionDefaultsToALogicalMessageAndCanBeTurnedOff() {
        JobConfig job = JobConfig.parse(JOB, "t", Map.of());
        assertThat(job.source().heartbeatActionQuery())
                .isEqualTo("select pg_logical_emit_message(false, 'walcast-heartbeat', '')");
        assertThat(job.source().slotLagPoll()).hasSeconds(10);
        JobConfig off =
                JobConfig.parse(
                        JOB.replace("slot-lag-alarm-mb: 2", "heartbeat-action-query: ''"),
                        "t",
                        Map.of());
        assertThat(off.source().heartbeatActionQuery()).isEmpty();
    }
}
