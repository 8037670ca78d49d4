package io.walcast.transform;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.ChangeEnvelopeSerializer;
import io.walcast.envelope.EnvelopeJson;
import io.walcast.envelope.Operation;
import io.walcast.envelope.RowImage;
import io.walcast.envelope.RowImageSerializer;
import java.util.List;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The state format of row images and the envelope fields the before-image step adds. */
class RowImageSerializerTest {
    @Test
    void largeValuesRoundTripThroughState() throws Exception {
        String large = "\"" + "x".repeat(200_000) + "\"";
        RowImage row = RowImage.of(new String[] {"id", "big"}, new String[] {"1", large});
        DataOutputSerializer out = new DataOutputSerializer(64);
        RowImageSerializer.INSTANCE.serialize(row, out);
        RowImage back =
                RowImageSerializer.INSTANCE.deserialize(
                        new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(row);
    }

    @Test
    void unavailableFlagsRoundTripThroughSerializerAndJson() throws Exception {
        ChangeEnvelope e =
                ChangeEnvelope.builder()
                        .id("x")
                        .operation(Operation.UPDATE)
                        .schema("public")
                        .table("t")
                        .current(RowImage.of(new String[] {"id"}, new String[] {"1"}))
                        .previousUnavailable(true)
                        .unavailableColumns(List.of("big"))
                        .build();
        DataOutputSerializer out = new DataOutputSerializer(64);
        ChangeEnvelopeSerializer.INSTANCE.serialize(e, out);
        assertThat(
                        ChangeEnvelopeSerializer.INSTANCE.deserialize(
                                new DataInputDeserializer(out.getCopyOfBuffer())))
                .isEqualTo(e);
        String json = new String(e.json(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json)
                .contains("\"previous_unavailable\":true")
                .contains("\"unavailable_columns\":[\"big\"]");
        assertThat(EnvelopeJson.read(e.json())).isEqualTo(e);
    }

    @Test
    void envelopesWrittenBeforeTheNewFieldsStillRead() throws Exception {
        ChangeEnvelope e =
                ChangeEnvelope.builder()
                        .id("old")
                        .operation(Operation.DELETE)
                        .schema("public")
                        .table("t")
                        .key(RowImage.of(new String[] {"id"}, new String[] {"1"}))
                        .build();
        DataOutputSerializer out = new DataOutputSerializer(64);
        ChangeEnvelopeSerializer.INSTANCE.serialize(e, out);
        byte[] v2 = out.getCopyOfBuffer();
        // Format 1 is format 2 without the trailing boolean and list length (-1).
        byte[] v1 = java.util.Arrays.copyOf(v2, v2.length - 5);
        v1[0] = 1;
        assertThat(ChangeEnvelopeSerializer.INSTANCE.deserialize(new DataInputDeserializer(v1)))
                .isEqualTo(e);
    }

    @Test
    void completeEnvelopesKeepTheirJsonUnchanged() {
        ChangeEnvelope e =
                ChangeEnvelope.builder()
                        .id("x")
                        .operation(Operation.INSERT)
                        .schema("public")
                        .table("t")
                        .build();
        String json = new String(e.json(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("unavailable");
        assertThat(e.previousUnavailable()).isFalse();
        assertThat(e.unavailableColumns()).isNull();
    }
}
