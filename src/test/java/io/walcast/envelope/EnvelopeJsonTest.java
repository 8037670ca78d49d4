package io.walcast.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The envelope's JSON is the product's contract: golden files pin it byte for byte. */
class EnvelopeJsonTest {
    static ChangeEnvelope update() {
        Map<String, String> previous = new LinkedHashMap<>();
        previous.put("id", "42");
        previous.put("title", "\"Hello\"");
        previous.put("rating", "4.50");
        previous.put("tags", "[\"a\",null]");
        previous.put("meta", "{\"lang\":\"en\"}");
        Map<String, String> current = new LinkedHashMap<>(previous);
        current.put("title", "\"Hello, WAL\"");
        return ChangeEnvelope.builder()
                .id("0000000001a2b3f0-0")
                .operation(Operation.UPDATE)
                .resource("article")
                .database("app")
                .schema("public")
                .table("blog_articles")
                .routingKey("cdc.article.update")
                .timestampMillis(1_795_000_000_123L)
                .xid(771L)
                .lsn(0x1A2B3F0L)
                .commitLsn(0x1A2B3C4L)
                .key(RowImage.of(Map.of("id", "42")))
                .previous(RowImage.of(previous))
                .current(RowImage.of(current))
                .targets(List.of("title"))
                .metadata(Map.of("environment", "prod"))
                .build();
    }

    static ChangeEnvelope snapshot() {
        return ChangeEnvelope.builder()
                .id("s-32204c1f007aeba3f655ec7ba19e8299")
                .operation(Operation.SNAPSHOT)
                .database("app")
                .schema("public")
                .table("users")
                .routingKey("cdc.users.snapshot")
                .timestampMillis(1_795_000_000_000L)
                .snapshot(true)
                .key(RowImage.of(Map.of("id", "1")))
                .current(RowImage.of(Map.of("id", "1")))
                .targets(List.of("id"))
                .build();
    }

    @Test
    void updateMatchesGoldenFile() throws IOException {
        assertThat(new String(update().json(), StandardCharsets.UTF_8))
                .isEqualTo(golden("update.json"));
    }

    @Test
    void snapshotMatchesGoldenFileAndDefaultsResourceToTable() throws IOException {
        ChangeEnvelope e = snapshot();
        assertThat(e.resource()).isEqualTo("users");
        assertThat(new String(e.json(), StandardCharsets.UTF_8)).isEqualTo(golden("snapshot.json"));
    }

    @Test
    void timestampsAreRenderedAsInstantRendersThem() {
        Random random = new Random(42);
        List<Long> millis = new ArrayList<>(List.of(0L, 1L, 10L, 100L, 999L, 1000L, -1L, -1000L));
        millis.add(Instant.parse("-0044-03-15T12:00:00.005Z").toEpochMilli());
        millis.add(Instant.parse("+12000-01-01T00:00:00Z").toEpochMilli());
        for (int i = 0; i < 10_000; i++) {
            // runs within one second as well as jumps, as a transaction's changes and a new one
            millis.add(
                    i % 3 == 0
                            ? millis.get(millis.size() - 1) + random.nextInt(3)
                            : random.nextLong(-62_000_000_000_000L, 253_000_000_000_000L));
        }
        for (long ms : millis) {
            assertThat(EnvelopeJson.isoMillis(ms))
                    .as("%d ms", ms)
                    .isEqualTo(Instant.ofEpochMilli(ms).toString());
        }
    }

    @Test
    void readGivesBackTheSameEnvelope() {
        for (ChangeEnvelope e : List.of(update(), snapshot())) {
            assertThat(EnvelopeJson.read(e.json())).isEqualTo(e);
        }
    }

    @Test
    void flinkSerializerRoundTripsWithoutKryo() throws IOException {
        TypeInformation<ChangeEnvelope> info = TypeInformation.of(ChangeEnvelope.class);
        assertThat(info).isInstanceOf(ChangeEnvelopeTypeInfo.class);
        ExecutionConfig config = new ExecutionConfig();
        config.disableGenericTypes();
        var serializer = info.createSerializer(config.getSerializerConfig());
        String large = "\"" + "x".repeat(100_000) + "\"";
        ChangeEnvelope big =
                update().toBuilder().current(RowImage.of(Map.of("id", "1", "body", large))).build();
        for (ChangeEnvelope e : List.of(update(), snapshot(), big)) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            serializer.serialize(e, out);
            ChangeEnvelope back =
                    serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back).isEqualTo(e);
        }
    }

    @Test
    void lsnUsesPostgresTextForm() {
        assertThat(Lsn.format(0x16B374D848L)).isEqualTo("16/B374D848");
        assertThat(Lsn.parse("16/B374D848")).isEqualTo(0x16B374D848L);
        assertThat(Lsn.format(0)).isEqualTo("0/0");
    }

    static String golden(String name) throws IOException {
        try (InputStream in = EnvelopeJsonTest.class.getResourceAsStream("/golden/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }
}
