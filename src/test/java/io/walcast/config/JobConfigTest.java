package io.walcast.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.walcast.envelope.Operation;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobConfigTest {
    static final String VALID =
            String.join(
                    "\n",
                    "name: changelog",
                    "checkpoint-interval: 10s",
                    "source:",
                    "  hostname: localhost",
                    "  database: app",
                    "  username: walcast",
                    "  password: ${PGPASSWORD}",
                    "  tables: ['public\\..*']",
                    "resources:",
                    "  events: ['public\\.events_\\d{4}_\\d{2}']",
                    "filters:",
                    "  operations: [insert, update]",
                    "  mask-columns: {public.users: [email]}",
                    "sinks:",
                    "  stdout: {}");

    @Test
    void readsTheDesignShapeWithDefaults() {
        JobConfig c = JobConfig.parse(VALID, "t.yaml", Map.of("PGPASSWORD", "s3cret"));
        assertThat(c.name()).isEqualTo("changelog");
        assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.source().port()).isEqualTo(5432);
        assertThat(c.source().slot()).isEqualTo("walcast_changelog");
        assertThat(c.source().publication()).isEqualTo("walcast_changelog");
        assertThat(c.source().password().value()).isEqualTo("s3cret");
        assertThat(c.source().toString()).doesNotContain("s3cret");
        assertThat(c.source().startup()).isEqualTo(StartupMode.INITIAL);
        assertThat(c.source().captures("public.users")).isTrue();
        assertThat(c.source().captures("audit.users")).isFalse();
        assertThat(c.filters().operations())
                .containsExactlyInAnyOrder(Operation.INSERT, Operation.UPDATE);
        assertThat(c.routingKey()).isEqualTo("cdc.{resource}.{operation}");
        assertThat(c.sinks().stdout()).isNotNull();
        assertThat(c.sinks().rabbitmq()).isNull();
    }

    @Test
    void reportsEveryProblemInOneErrorWithKeyRuleAndValue() {
        String bad =
                String.join(
                        "\n",
                        "name: Bad Name",
                        "checkpoint-interval: soon",
                        "colour: blue",
                        "source:",
                        "  hostname: localhost",
                        "  port: 99999",
                        "  username: walcast",
                        "  startup: earliest",
                        "  tabels: ['x']",
                        "filters:",
                        "  operations: [insert, upsert]",
                        "routing-key: 'cdc.{resource}.{colour}'",
                        "sinks: {}");
        assertThatThrownBy(() -> JobConfig.parse(bad, "bad.yaml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(
                        e -> {
                            ConfigException ce = (ConfigException) e;
                            assertThat(ce.getMessage())
                                    .startsWith("invalid job definition bad.yaml");
                            assertThat(ce.problems())
                                    .anySatisfy(
                                            p ->
                                                    assertThat(p)
                                                            .startsWith(
                                                                    "name: must start with a lowercase letter")
                                                            .contains("\"Bad Name\""))
                                    .anySatisfy(
                                            p ->
                                                    assertThat(p)
                                                            .startsWith(
                                                                    "checkpoint-interval: must be a duration")
                                                            .contains("\"soon\""))
                                    .anySatisfy(
                                            p ->
                                                    assertThat(p)
                                                            .startsWith(
                                                                    "checkpoint-interval: is required and must be positive"))
                                    .anySatisfy(
                                            p ->
                                                    assertThat(p)
                                                            .startsWith(
                                                                    "colour: unknown key; supported keys are")
                                                            .contains(
                                                                    "checkpoint-interval", "sinks"))
                                    .anySatisfy(
                                            p ->
                                                    assertThat(p)
                                                            .startsWith(
                                                                    "source.database: is required"))
                                    .anySatisfy(
                                            p ->
                                                    assertThat(p)
                                                            .startsWith(
                                                                    "source.port: must be between 1 and 65535"))
                                    .anySatisfy(
                                            p ->
                                                    assertThat(p)
                                                            .startsWith(
                                                                    "source.startup: must be one of initial, latest")
                                                            .contains("\"earliest\""))
                                    .anySatisfy(
                                            p ->
                                                    assertThat(p)
                                                            .startsWith(
                                                                    "source.tabels: unknown key; supported keys under source are")
                                                            .contains("tables"))
                                    .anySatisfy(
                                            p ->
                                                    assertThat(p)
                                                            .startsWith(
                                                                    "filters.operations: must list operations")
                                                            .contains("\"upsert\""))
                                    .anySatisfy(
                                            p ->
                                                    assertThat(p)
                                                            .startsWith(
                                                                    "routing-key: placeholders must be among"))
                                    .anySatisfy(
                                            p ->
                                                    assertThat(p)
                                                            .startsWith(
                                                                    "sinks: must configure at least one sink"));
                        });
    }

    @Test
    void checkpointingIsRequired() {
        String noCheckpoints = VALID.replace("checkpoint-interval: 10s\n", "");
        assertThatThrownBy(
                        () -> JobConfig.parse(noCheckpoints, "t.yaml", Map.of("PGPASSWORD", "x")))
                .hasMessageContaining(
                        "checkpoint-interval: is required and must be positive: the replication slot only advances when a checkpoint completes");
    }

    @Test
    void missingEnvironmentVariableSaysWhatToDo() {
        assertThatThrownBy(() -> JobConfig.parse(VALID, "t.yaml", Map.of()))
                .hasMessageContaining(
                        "source.password: environment variable PGPASSWORD is not set; export it or write ${PGPASSWORD:-default}");
    }

    @Test
    void substitutesDefaults() {
        EnvSubstitution env = new EnvSubstitution(Map.of("A", "1"));
        assertThat(env.apply("${A}-${B:-two}-x", v -> {})).isEqualTo("1-two-x");
    }

    @Test
    void durationsNeedAUnit() {
        assertThat(Durations.parse("200ms")).isEqualTo(Duration.ofMillis(200));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("10")).isNull();
    }
}
