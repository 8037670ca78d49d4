package io.walcast.sink.paimon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.walcast.source.CapturedTable;
import io.walcast.source.CapturedTable.Column;
import io.walcast.source.CapturedTable.ReplicaIdentity;
import java.util.List;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataTypes;
import org.junit.jupiter.api.Test;

class CurrentStateTablesTest {
    static CapturedTable table(String name, List<String> pk, Column... columns) {
        return new CapturedTable("public", name, List.of(columns), pk, ReplicaIdentity.DEFAULT);
    }

    @Test
    void partitionsOfOneResourceMergeIntoOneTable() {
        CurrentStateTables.Wanted w =
                CurrentStateTables.wanted(
                        "events",
                        List.of(
                                table(
                                        "events_2026_01",
                                        List.of("id"),
                                        new Column("id", "bigint", true),
                                        new Column("body", "jsonb", false)),
                                table(
                                        "events_2026_02",
                                        List.of("id"),
                                        new Column("id", "bigint", true),
                                        new Column("extra", "text", false))));
        assertThat(w.columns())
                .extracting(CurrentStateTables.Column::name)
                .containsExactly("id", "body", "extra");
        assertThat(w.json()).containsExactly("body");
        assertThat(w.primaryKey()).containsExactly("id");
    }

    @Test
    void differentKeysInOneResourceAreRefused() {
        assertThatThrownBy(
                        () ->
                                CurrentStateTables.wanted(
                                        "r",
                                        List.of(
                                                table(
                                                        "a",
                                                        List.of("id"),
                                                        new Column("id", "integer", true)),
                                                table(
                                                        "b",
                                                        List.of("code"),
                                                        new Column("code", "text", true)))))
                .hasMessageContaining("different primary keys");
    }

    @Test
    void newPostgresColumnsAreAddedAndStringColumnsAcceptAnyType() {
        CurrentStateTables.Wanted w =
                CurrentStateTables.wanted(
                        "t",
                        List.of(
                                table(
                                        "t",
                                        List.of("id"),
                                        new Column("id", "integer", true),
                                        new Column("priority", "integer", false),
                                        new Column("added", "date", false))));
        List<CurrentStateTables.Column> add =
                CurrentStateTables.missing(
                        w,
                        "app.t",
                        List.of(
                                new DataField(0, "id", DataTypes.INT().notNull()),
                                new DataField(1, "priority", DataTypes.STRING())),
                        List.of("id"));
        assertThat(add).extracting(CurrentStateTables.Column::name).containsExactly("added");
    }

    @Test
    void anIncompatibleTypeChangeFailsNamingTheColumn() {
        CurrentStateTables.Wanted w =
                CurrentStateTables.wanted(
                        "t",
                        List.of(
                                table(
                                        "t",
                                        List.of("id"),
                                        new Column("id", "integer", true),
                                        new Column("amount", "numeric(10,2)", false))));
        assertThatThrownBy(
                        () ->
                                CurrentStateTables.missing(
                                        w,
                                        "app.t",
                                        List.of(
                                                new DataField(0, "id", DataTypes.INT().notNull()),
                                                new DataField(1, "amount", DataTypes.INT())),
                                        List.of("id")))
                .hasMessageContaining("incompatible schema change for Paimon table app.t")
                .hasMessageContaining("amount is INT in Paimon but Postgres now has numeric(10,2)");
    }

    @Test
    void aChangedPrimaryKeyIsRefused() {
        CurrentStateTables.Wanted w =
                CurrentStateTables.wanted(
                        "t", List.of(table("t", List.of("id"), new Column("id", "integer", true))));
        assertThatThrownBy(
                        () ->
                                CurrentStateTables.missing(
                                        w,
                                        "app.t",
                                        List.of(new DataField(0, "id", DataTypes.INT().notNull())),
                                        List.of("code")))
                .hasMessageContaining("primary key [code]");
    }

    @Test
    void tableNamesAreSafe() {
        assertThat(CurrentStateTables.tableName("Blog-Articles")).isEqualTo("blog_articles");
        assertThat(CurrentStateTables.tableName("Bücher")).isEqualTo("bücher");
        assertThat(CurrentStateTables.tableName("書籍 2026")).isEqualTo("書籍_2026");
    }
}
