package io.walcast.transform;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import io.walcast.envelope.RowImage;
import java.io.Serializable;
import java.util.List;

/**
 * Completes a change from the last known image of its row: {@code previous} for updates and deletes
 * whose WAL record has no old row, and unchanged TOAST values in {@code current}. Keeps the images
 * current: snapshot rows and inserts seed them, updates replace them, deletes remove them, a
 * truncate clears the table. What neither the WAL nor the images hold is never invented: {@code
 * previous} stays null with {@code previous_unavailable}, and a missing column is left out of
 * {@code current} and named in {@code unavailable_columns}.
 *
 * <p>A primary-key update reaches us as a delete of the old key followed by an insert of the new
 * one (Debezium's pgoutput handling); a TOAST value it did not touch is then missing from the
 * insert, so the image of the last deleted row is kept to fill it in: the image moves to the new
 * key.
 */
public final class BeforeImages implements Serializable {
    /** The last images of one table's rows, by primary key; the Flink adapter backs it by state. */
    public interface Images {
        RowImage get(String key) throws Exception;

        void put(String key, RowImage image) throws Exception;

        void remove(String key) throws Exception;

        void clear() throws Exception;
    }

    /**
     * Where the last deleted image waits for the insert of a primary-key update: no real key uses
     * this name, since every row key starts with a JSON literal.
     */
    static final String LAST_DELETED = "\u0000last-deleted";

    /** The change completed from {@code images}, which it then updates. */
    public ChangeEnvelope apply(ChangeEnvelope e, Images images) throws Exception {
        if (e.operation() == Operation.TRUNCATE) {
            // A truncate names no row: it empties the whole table.
            images.clear();
            return e;
        }
        if (e.key() == null) {
            // A table without a primary key: no row identity to keep an image under.
            return switch (e.operation()) {
                case UPDATE, DELETE -> withoutUnavailable(e, e.previous());
                default -> withoutUnavailable(e, null);
            };
        }
        String key = rowKey(e.key());
        return switch (e.operation()) {
            case SNAPSHOT, INSERT -> {
                RowImage current = e.current();
                if (current != null && !current.unavailableColumns().isEmpty()) {
                    current = fill(current, images.get(LAST_DELETED));
                    images.remove(LAST_DELETED);
                }
                yield remember(e, key, null, current, images);
            }
            case UPDATE -> {
                RowImage previous = images.get(key);
                yield remember(e, key, previous, fill(e.current(), previous), images);
            }
            case DELETE -> {
                RowImage previous = images.get(key);
                images.remove(key);
                if (previous != null) {
                    images.put(LAST_DELETED, previous);
                }
                yield e.toBuilder()
                        .previous(previous)
                        .previousUnavailable(previous == null)
                        .build();
            }
            case TRUNCATE -> e;
        };
    }

    private static ChangeEnvelope remember(
            ChangeEnvelope e, String key, RowImage previous, RowImage current, Images images)
            throws Exception {
        List<String> missing = current == null ? List.of() : current.unavailableColumns();
        if (missing.isEmpty()) {
            if (current != null) {
                images.put(key, current);
            }
        } else {
            // An incomplete image would later pass for a complete previous: forget the row.
            images.remove(key);
            current = current.without(missing);
        }
        return e.toBuilder()
                .previous(previous)
                .previousUnavailable(e.operation() == Operation.UPDATE && previous == null)
                .current(current)
                .unavailableColumns(missing)
                .build();
    }

    /** {@code current} with each unavailable value taken from {@code known}, where it has it. */
    static RowImage fill(RowImage current, RowImage known) {
        if (current == null || known == null) {
            return current;
        }
        List<String> missing = current.unavailableColumns();
        if (missing.isEmpty()) {
            return current;
        }
        return current.replacing(
                missing,
                (column, json) -> {
                    String value = known.json(column);
                    return value == null ? json : value;
                });
    }

    /** For rows without state: drops what the WAL lacked and names it. */
    private static ChangeEnvelope withoutUnavailable(ChangeEnvelope e, RowImage previous) {
        List<String> missing = e.current() == null ? List.of() : e.current().unavailableColumns();
        boolean hadRow = e.operation() == Operation.UPDATE || e.operation() == Operation.DELETE;
        if (missing.isEmpty() && !(hadRow && previous == null)) {
            return e;
        }
        return e.toBuilder()
                .current(e.current() == null ? null : e.current().without(missing))
                .unavailableColumns(missing)
                .previousUnavailable(hadRow && previous == null)
                .build();
    }

    /** The primary key's values as one string: equal keys, equal strings. */
    static String rowKey(RowImage key) {
        if (key.size() == 1) {
            return key.json(0);
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < key.size(); i++) {
            if (i > 0) {
                s.append('\u0001');
            }
            s.append(key.json(i));
        }
        return s.toString();
    }
}
