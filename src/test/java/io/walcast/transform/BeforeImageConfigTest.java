package io.walcast.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.walcast.config.BeforeImageConfig;
import io.walcast.config.BeforeImageConfig.Mode;
import io.walcast.config.ConfigException;
import io.walcast.config.JobConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code previous:} section of a job definition, read through {@link JobConfig}. */
class BeforeImageConfigTest {
    static final String BASE =
            String.join(
                    "\n",
                    "name: t",
                    "checkpoint-interval: 10s",
                    "source: {hostname: h, database: d, username: u, tables: ['public\\..*']}",
                    "sinks: {stdout: {}}",
                    "");

    static JobConfig parse(String yaml) {
        return JobConfig.parse(BASE + yaml, "test.yaml", Map.of());
    }

    @Test
    void withoutSectionFullReplicaIdentityUsesTheWalAndTheRestUsesState() {
        BeforeImageConfig c = parse("").previous();
        assertThat(c.modeFor("public.a", true)).isEqualTo(Mode.WAL);
        assertThat(c.modeFor("public.a", false)).isEqualTo(Mode.STATE);
    }

    @Test
    void tablePatternsWinOverTheDefault() {
        BeforeImageConfig c =
                parse("previous:\n  default: none\n  tables:\n    'public\\.audit_.*': state\n")
                        .previous();
        assertThat(c.modeFor("public.audit_2026", false)).isEqualTo(Mode.STATE);
        assertThat(c.modeFor("public.orders", true)).isEqualTo(Mode.NONE);
    }

    @Test
    void everyProblemIsReportedWithItsKey() {
        assertThatThrownBy(
                        () ->
                                parse(
                                        "previous:\n  default: sometimes\n  tabels: {}\n"
                                                + "  tables:\n    'public\\.a': wall\n"
                                                + "    '(': state\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("previous.default: must be one of state, wal, none")
                .hasMessageContaining("previous.tabels: unknown key")
                .hasMessageContaining("previous.tables.public\\.a: must be one of")
                .hasMessageContaining("previous.tables.(: table patterns must be regular");
    }
}
