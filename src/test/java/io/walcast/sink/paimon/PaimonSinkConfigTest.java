package io.walcast.sink.paimon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.walcast.config.JobConfig;
import io.walcast.config.PaimonSinkConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PaimonSinkConfigTest {
    static final String SOURCE =
            String.join(
                    "\n",
                    "name: t",
                    "checkpoint-interval: 10s",
                    "source: {hostname: h, database: d, username: u, tables: ['public\\..*']}");

    @Test
    void theExampleJobDefinitionIsValid() throws Exception {
        String text = Files.readString(Path.of("jobs/datasets.yaml"));
        JobConfig job = JobConfig.parse(text, "datasets.yaml", Map.of("PGPASSWORD", "secret"));
        PaimonSinkConfig p = job.sinks().paimon();
        assertThat(p.warehouse()).isEqualTo("file:///var/lib/walcast/warehouse");
        assertThat(p.database()).isEqualTo("app");
        assertThat(p.history()).isTrue();
        assertThat(p.buckets()).isEqualTo(2);
        assertThat(p.fileFormat()).isEqualTo("parquet");
    }

    @Test
    void defaultsAndPassThroughOptions() {
        PaimonSinkConfig p =
                JobConfig.parse(
                                SOURCE
                                        + "\nsinks: {paimon: {warehouse: /tmp/w, iceberg: true,"
                                        + " table-options: {snapshot.num-retained.max: 50}}}",
                                "t",
                                Map.of())
                        .sinks()
                        .paimon();
        assertThat(p.database()).isEqualTo("walcast");
        assertThat(p.history()).isTrue();
        assertThat(p.buckets()).isEqualTo(1);
        assertThat(p.iceberg()).isTrue();
        assertThat(p.tableOptions()).containsEntry("snapshot.num-retained.max", "50");
    }

    @Test
    void everyProblemIsReportedWithItsKey() {
        assertThatThrownBy(
                        () ->
                                JobConfig.parse(
                                        SOURCE
                                                + "\nsinks: {paimon: {buckets: 0, file-format: csv,"
                                                + " histroy: true}}",
                                        "t",
                                        Map.of()))
                .hasMessageContaining("sinks.paimon.warehouse")
                .hasMessageContaining("sinks.paimon.buckets")
                .hasMessageContaining("sinks.paimon.file-format")
                .hasMessageContaining("sinks.paimon.histroy: unknown key");
    }
}
