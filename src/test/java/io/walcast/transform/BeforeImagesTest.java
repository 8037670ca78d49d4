package io.walcast.transform;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import io.walcast.envelope.RowImage;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BeforeImagesTest {
    final BeforeImages logic = new BeforeImages();
    final MapImages images = new MapImages();
    int seq;

    @Test
    void snapshotSeedsTheImageThatTheNextUpdateCarriesAsPrevious() throws Exception {
        logic.apply(change(Operation.SNAPSHOT, 1, null, row(1, "a", "\"x\"")), images);
        ChangeEnvelope update =
                logic.apply(change(Operation.UPDATE, 1, null, row(1, "b", "\"x\"")), images);
        assertThat(update.previous()).isEqualTo(row(1, "a", "\"x\""));
        assertThat(update.previousUnavailable()).isFalse();
        assertThat(images.map).containsEntry("1", row(1, "b", "\"x\""));
    }

    @Test
    void unchangedToastValueIsFilledFromTheLastImage() throws Exception {
        logic.apply(change(Operation.INSERT, 1, null, row(1, "a", "\"large\"")), images);
        ChangeEnvelope update =
                logic.apply(
                        change(Operation.UPDATE, 1, null, row(1, "b", RowImage.UNAVAILABLE)),
                        images);
        assertThat(update.current()).isEqualTo(row(1, "b", "\"large\""));
        assertThat(update.unavailableColumns()).isNull();
        assertThat(ChangedColumns.between(update.previous(), update.current()))
                .containsExactly("name");
    }

    @Test
    void deleteCarriesTheWholeRowAndForgetsIt() throws Exception {
        logic.apply(change(Operation.SNAPSHOT, 1, null, row(1, "a", "null")), images);
        ChangeEnvelope delete = logic.apply(change(Operation.DELETE, 1, null, null), images);
        assertThat(delete.previous()).isEqualTo(row(1, "a", "null"));
        assertThat(images.map).doesNotContainKey("1");
        ChangeEnvelope again = logic.apply(change(Operation.DELETE, 1, null, null), images);
        assertThat(again.previous()).isNull();
        assertThat(again.previousUnavailable()).isTrue();
    }

    @Test
    void rowNeverSeenHasNoPreviousAndNoInventedValues() throws Exception {
        ChangeEnvelope update =
                logic.apply(
                        change(Operation.UPDATE, 7, null, row(7, "b", RowImage.UNAVAILABLE)),
                        images);
        assertThat(update.previous()).isNull();
        assertThat(update.previousUnavailable()).isTrue();
        assertThat(update.current().columns()).containsExactly("id", "name");
        assertThat(update.unavailableColumns()).containsExactly("big");
        assertThat(images.map).as("an incomplete image is not kept").isEmpty();
    }

    @Test
    void primaryKeyChangeMovesTheImageToTheNewKey() throws Exception {
        logic.apply(change(Operation.SNAPSHOT, 3, null, row(3, "c", "\"large\"")), images);
        ChangeEnvelope delete = logic.apply(change(Operation.DELETE, 3, null, null), images);
        ChangeEnvelope insert =
                logic.apply(
                        change(Operation.INSERT, 30, null, row(30, "c", RowImage.UNAVAILABLE)),
                        images);
        assertThat(delete.previous()).isEqualTo(row(3, "c", "\"large\""));
        assertThat(insert.current()).isEqualTo(row(30, "c", "\"large\""));
        assertThat(images.map).containsOnlyKeys("30");
        ChangeEnvelope update =
                logic.apply(change(Operation.UPDATE, 30, null, row(30, "d", "\"large\"")), images);
        assertThat(update.previous()).isEqualTo(row(30, "c", "\"large\""));
    }

    @Test
    void truncateForgetsEveryRowOfTheTable() throws Exception {
        logic.apply(change(Operation.INSERT, 1, null, row(1, "a", "null")), images);
        logic.apply(change(Operation.INSERT, 2, null, row(2, "b", "null")), images);
        ChangeEnvelope truncate =
                logic.apply(
                        ChangeEnvelope.builder()
                                .id("t")
                                .operation(Operation.TRUNCATE)
                                .schema("public")
                                .table("t")
                                .build(),
                        images);
        assertThat(truncate.operation()).isEqualTo(Operation.TRUNCATE);
        assertThat(images.map).isEmpty();
    }

    @Test
    void compositeKeysDoNotCollide() {
        RowImage ab = RowImage.of(new String[] {"a", "b"}, new String[] {"\"1\"", "\"2\""});
        RowImage ab2 = RowImage.of(new String[] {"a", "b"}, new String[] {"\"1\\u0001\"", "\"\""});
        assertThat(BeforeImages.rowKey(ab)).isNotEqualTo(BeforeImages.rowKey(ab2));
        assertThat(BeforeImages.rowKey(ab)).isEqualTo(BeforeImages.rowKey(ab));
    }

    @Test
    void tableWithoutKeyPassesThroughWithoutState() throws Exception {
        ChangeEnvelope insert =
                ChangeEnvelope.builder()
                        .id("x")
                        .operation(Operation.INSERT)
                        .schema("public")
                        .table("t")
                        .current(row(1, "a", "null"))
                        .build();
        assertThat(logic.apply(insert, images)).isEqualTo(insert);
        assertThat(images.map).isEmpty();
    }

    ChangeEnvelope change(Operation op, int id, RowImage previous, RowImage current) {
        return ChangeEnvelope.builder()
                .id("c" + seq++)
                .operation(op)
                .schema("public")
                .table("t")
                .key(RowImage.of(new String[] {"id"}, new String[] {"" + id}))
                .previous(previous)
                .current(current)
                .build();
    }

    static RowImage row(int id, String name, String big) {
        return RowImage.of(
                new String[] {"id", "name", "big"},
                new String[] {"" + id, "\"" + name + "\"", big});
    }

    static final class MapImages implements BeforeImages.Images {
        final Map<String, RowImage> map = new HashMap<>();

        @Override
        public RowImage get(String key) {
            return map.get(key);
        }

        @Override
        public void put(String key, RowImage image) {
            map.put(key, image);
        }

        @Override
        public void remove(String key) {
            map.remove(key);
        }

        @Override
        public void clear() {
            map.clear();
        }
    }
}
