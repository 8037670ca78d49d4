package io.walcast.sink.paimon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import io.walcast.envelope.RowImage;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.apache.paimon.flink.sink.cdc.RichCdcRecord;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataTypes;
import org.apache.paimon.types.RowKind;
import org.junit.jupiter.api.Test;

class CurrentStateRecordsTest {
    static final TableLayout LAYOUT =
            new TableLayout(
                    "items",
                    List.of(
                            new DataField(0, "order_id", DataTypes.BIGINT().notNull()),
                            new DataField(1, "line", DataTypes.INT().notNull()),
                            new DataField(2, "note", DataTypes.STRING()),
                            new DataField(3, "meta", DataTypes.STRING())),
                    List.of("order_id", "line"),
                    Set.of("meta"));

    final CurrentStateRecords records = new CurrentStateRecords(LAYOUT, ZoneOffset.UTC);

    static RowImage row(long order, int line, String noteJson) {
        return RowImage.of(
                new String[] {"order_id", "line", "note", "meta"},
                new String[] {"" + order, "" + line, noteJson, "{\"a\": 1}"});
    }

    static ChangeEnvelope change(Operation op, RowImage previous, RowImage current) {
        return ChangeEnvelope.builder()
                .id("0000000000000001-0000000000000002-0")
                .operation(op)
                .schema("public")
                .table("items")
                .lsn(42L)
                .previous(previous)
                .current(current)
                .key(current != null ? current : previous)
                .build();
    }

    @Test
    void insertUpsertsTheWholeRow() {
        List<RichCdcRecord> out =
                records.records(change(Operation.INSERT, null, row(1, 2, "\"x\"")));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).kind()).isEqualTo(RowKind.INSERT);
        assertThat(out.get(0).toCdcRecord().data())
                .containsEntry("order_id", "1")
                .containsEntry("line", "2")
                .containsEntry("note", "x")
                .containsEntry("meta", "{\"a\": 1}");
    }

    @Test
    void updateThatChangesTheKeyDeletesTheOldKeyFirst() {
        List<RichCdcRecord> out =
                records.records(change(Operation.UPDATE, row(1, 2, "\"x\""), row(1, 3, "\"x\"")));
        assertThat(out)
                .extracting(RichCdcRecord::kind)
                .containsExactly(RowKind.DELETE, RowKind.INSERT);
        assertThat(out.get(0).toCdcRecord().data())
                .containsEntry("order_id", "1")
                .containsEntry("line", "2");
        assertThat(out.get(1).toCdcRecord().data()).containsEntry("line", "3");
    }

    @Test
    void updateOfOtherColumnsIsOneUpsert() {
        List<RichCdcRecord> out =
                records.records(change(Operation.UPDATE, row(1, 2, "\"x\""), row(1, 2, "\"y\"")));
        assertThat(out).extracting(RichCdcRecord::kind).containsExactly(RowKind.INSERT);
    }

    @Test
    void deleteDeletesByKey() {
        List<RichCdcRecord> out =
                records.records(change(Operation.DELETE, row(5, 6, "null"), null));
        assertThat(out).extracting(RichCdcRecord::kind).containsExactly(RowKind.DELETE);
        assertThat(out.get(0).toCdcRecord().data())
                .containsEntry("order_id", "5")
                .containsEntry("line", "6");
    }

    @Test
    void aColumnAddedInPostgresTravelsAsStringSoPaimonAddsIt() {
        RowImage wider =
                RowImage.of(
                        new String[] {"order_id", "line", "note", "meta", "priority"},
                        new String[] {"1", "2", "null", "null", "7"});
        RichCdcRecord r = records.records(change(Operation.INSERT, null, wider)).get(0);
        assertThat(r.cdcSchema().fields())
                .filteredOn(f -> f.name().equals("priority"))
                .singleElement()
                .satisfies(f -> assertThat(f.type()).isEqualTo(DataTypes.STRING()));
        assertThat(r.toCdcRecord().data()).containsEntry("priority", "7");
    }

    @Test
    void keysRoundTripThroughTheLiveKeyForm() {
        String key = records.keyOf(row(9, 10, "null"));
        assertThat(key).isEqualTo("9\n10");
        RichCdcRecord delete = records.delete(key, change(Operation.TRUNCATE, null, null));
        assertThat(delete.toCdcRecord().data())
                .containsEntry("order_id", "9")
                .containsEntry("line", "10");
    }

    @Test
    void aValuePaimonCannotStoreNamesTableLsnAndColumn() {
        TableLayout dated =
                new TableLayout(
                        "t",
                        List.of(
                                new DataField(0, "order_id", DataTypes.BIGINT().notNull()),
                                new DataField(1, "line", DataTypes.INT().notNull()),
                                new DataField(
                                        2, "note", DataTypes.TIMESTAMP_WITH_LOCAL_TIME_ZONE(6))),
                        List.of("order_id", "line"),
                        Set.of());
        // Paimon reads TIMESTAMP_LTZ only as text without an era
        ChangeEnvelope e = change(Operation.INSERT, null, row(1, 2, "\"-infinity\""));
        assertThatThrownBy(() -> new CurrentStateRecords(dated, ZoneOffset.UTC).records(e))
                .hasMessageContaining("public.items")
                .hasMessageContaining("lsn 42")
                .hasMessageContaining("column note");
    }
}
