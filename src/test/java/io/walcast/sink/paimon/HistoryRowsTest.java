package io.walcast.sink.paimon;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import io.walcast.envelope.RowImage;
import java.util.List;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

class HistoryRowsTest {
    @Test
    void everyEnvelopeFieldHasAColumnAndTheDayPartitionIsUtc() {
        ChangeEnvelope e =
                ChangeEnvelope.builder()
                        .id("a-b-1")
                        .operation(Operation.UPDATE)
                        .resource("article")
                        .schema("public")
                        .table("blog_articles")
                        .timestampMillis(1_719_878_399_000L) // 2024-07-01T23:59:59Z
                        .xid(7L)
                        .lsn(100L)
                        .commitLsn(120L)
                        .key(RowImage.of(new String[] {"id"}, new String[] {"1"}))
                        .previous(
                                RowImage.of(new String[] {"id", "t"}, new String[] {"1", "\"a\""}))
                        .current(RowImage.of(new String[] {"id", "t"}, new String[] {"1", "\"b\""}))
                        .targets(List.of("t"))
                        .build();
        RowData row = HistoryRows.row(e);
        List<String> names = HistoryRows.rowType().getFieldNames();
        assertThat(row.getArity()).isEqualTo(names.size());
        assertThat(row.getString(names.indexOf("id")).toString()).isEqualTo("a-b-1");
        assertThat(row.getString(names.indexOf("operation")).toString()).isEqualTo("update");
        assertThat(row.getLong(names.indexOf("lsn"))).isEqualTo(100L);
        assertThat(row.getString(names.indexOf("previous")).toString())
                .isEqualTo("{\"id\":1,\"t\":\"a\"}");
        assertThat(row.getString(names.indexOf("current")).toString())
                .isEqualTo("{\"id\":1,\"t\":\"b\"}");
        assertThat(row.getArray(names.indexOf("targets")).getString(0).toString()).isEqualTo("t");
        assertThat(row.getString(names.indexOf("envelope")).toString())
                .isEqualTo(new String(e.json(), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(row.getString(names.indexOf("day")).toString()).isEqualTo("2024-07-01");
        assertThat(row.isNullAt(names.indexOf("snapshot"))).isFalse();
    }
}
