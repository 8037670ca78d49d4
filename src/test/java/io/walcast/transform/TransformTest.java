package io.walcast.transform;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.config.FilterConfig;
import io.walcast.config.JobConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import io.walcast.envelope.RowImage;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransformTest {
    static ChangeEnvelope update(
            String table, Map<String, String> before, Map<String, String> after) {
        return ChangeEnvelope.builder()
                .id("x")
                .operation(Operation.UPDATE)
                .database("app")
                .schema("public")
                .table(table)
                .key(RowImage.of(Map.of("id", "1")))
                .previous(RowImage.of(before))
                .current(RowImage.of(after))
                .build();
    }

    static Map<String, String> row(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static FilterConfig filters(
            Set<Operation> ops,
            Map<String, List<String>> drop,
            Map<String, List<String>> mask,
            Set<String> ignore) {
        return new FilterConfig(ops, drop, mask, ignore);
    }

    @Test
    void targetsAreTheChangedColumnsAndDroppedOnesDisappear() {
        ChangeFilter f =
                new ChangeFilter(
                        filters(
                                EnumSet.allOf(Operation.class),
                                Map.of("public\\.users", List.of("password_hash")),
                                Map.of(),
                                Set.of()));
        ChangeEnvelope out =
                f.apply(
                        update(
                                "users",
                                row("id", "1", "name", "\"a\"", "password_hash", "\"h1\""),
                                row("id", "1", "name", "\"b\"", "password_hash", "\"h2\"")));
        assertThat(out.targets()).containsExactly("name");
        assertThat(out.current().has("password_hash")).isFalse();
        assertThat(out.previous().has("password_hash")).isFalse();
    }

    @Test
    void maskedColumnsNeverLeaveButStillCountAsChanged() {
        ChangeFilter f =
                new ChangeFilter(
                        filters(
                                EnumSet.allOf(Operation.class),
                                Map.of(),
                                Map.of("public.users", List.of("email")),
                                Set.of()));
        ChangeEnvelope out =
                f.apply(
                        update(
                                "users",
                                row("id", "1", "email", "\"a@x\""),
                                row("id", "1", "email", "\"b@x\"")));
        assertThat(out.targets()).containsExactly("email");
        assertThat(out.current().json("email")).isEqualTo("\"****\"");
        assertThat(out.previous().json("email")).isEqualTo("\"****\"");
        assertThat(new String(out.json())).doesNotContain("a@x", "b@x");
        ChangeEnvelope nullEmail =
                f.apply(
                        update(
                                "users",
                                row("id", "1", "email", "null"),
                                row("id", "1", "email", "null")));
        assertThat(nullEmail.current().json("email")).isEqualTo("null");
    }

    @Test
    void updatesOnlyTouchingIgnorableColumnsAreDropped() {
        ChangeFilter f =
                new ChangeFilter(
                        filters(
                                EnumSet.allOf(Operation.class),
                                Map.of(),
                                Map.of(),
                                Set.of("updated_at")));
        assertThat(
                        f.apply(
                                update(
                                        "t",
                                        row("id", "1", "updated_at", "\"a\""),
                                        row("id", "1", "updated_at", "\"b\""))))
                .isNull();
        assertThat(
                        f.apply(
                                update(
                                        "t",
                                        row("id", "1", "v", "1", "updated_at", "\"a\""),
                                        row("id", "1", "v", "2", "updated_at", "\"b\""))))
                .isNotNull();
    }

    @Test
    void operationFilter() {
        ChangeFilter f =
                new ChangeFilter(
                        filters(EnumSet.of(Operation.INSERT), Map.of(), Map.of(), Set.of()));
        assertThat(f.apply(update("t", row("id", "1"), row("id", "2")))).isNull();
    }

    @Test
    void resourcesMapManyTablesToOneAndRoutingKeysFollowTheTemplate() {
        JobConfig job =
                JobConfig.parse(
                        String.join(
                                "\n",
                                "name: t",
                                "checkpoint-interval: 1s",
                                "source: {hostname: h, database: d, username: u}",
                                "resources:",
                                "  events: ['public\\.events_\\d{4}_\\d{2}']",
                                "routing-key: 'cdc.{resource}.{operation}.{SCHEMA}'"
                                        .replace("{SCHEMA}", "{schema}"),
                                "metadata: {environment: prod}",
                                "sinks: {stdout: {}}"),
                        "t",
                        Map.of());
        Enricher enricher = new Enricher(job);
        ChangeEnvelope e = enricher.apply(update("events_2026_01", row("id", "1"), row("id", "1")));
        assertThat(e.resource()).isEqualTo("events");
        assertThat(e.routingKey()).isEqualTo("cdc.events.update.public");
        assertThat(e.metadata()).containsEntry("environment", "prod");
        ChangeEnvelope other = enricher.apply(update("Users", row("id", "1"), row("id", "1")));
        assertThat(other.resource()).isEqualTo("Users");
        assertThat(other.routingKey()).isEqualTo("cdc.users.update.public");
    }
}
