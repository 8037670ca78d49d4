package io.walcast.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.EnvelopeJson;
import io.walcast.envelope.Operation;
import io.walcast.envelope.RowImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The loss checker: the changes a test made in Postgres against what one sink holds, row by row. A
 * change is named by table, primary key, operation and a version the test wrote into the row (a
 * column no two changes give the same value), so each delivered envelope maps to the change it
 * reports. It finds changes lost, delivered more than once (and whether every copy carries the same
 * id and content), delivered but never made, and delivered out of commit order for their row.
 */
public final class LossChecker {

    /** One change as the test made it; the version is the row's version column after it. */
    public record Change(String table, String key, Operation operation, String version) {
        @Override
        public String toString() {
            return table + "[" + key + "] " + operation.name().toLowerCase() + " v" + version;
        }
    }

    /** What one sink holds against what was changed; every list names the changes concerned. */
    public record Report(
            String sink,
            int expected,
            int delivered,
            List<Change> lost,
            int duplicated,
            List<String> inconsistentDuplicates,
            List<Change> unexpected,
            List<String> outOfOrder) {

        public boolean clean() {
            return lost.isEmpty()
                    && inconsistentDuplicates.isEmpty()
                    && unexpected.isEmpty()
                    && outOfOrder.isEmpty();
        }

        /** Prints the figures (to quote them) and fails on anything but duplicates with one id. */
        public Report assertClean() {
            System.out.println("LOSS CHECK " + this);
            assertThat(lost).as(sink + ": lost").isEmpty();
            assertThat(inconsistentDuplicates)
                    .as(sink + ": copies with a different id or content")
                    .isEmpty();
            assertThat(unexpected).as(sink + ": never made").isEmpty();
            assertThat(outOfOrder).as(sink + ": out of commit order").isEmpty();
            return this;
        }

        @Override
        public String toString() {
            return String.format(
                    "%s: %d changes checked, %d envelopes, %d lost, %d duplicated (%d with"
                            + " another id or content), %d unexpected, %d out of order%s",
                    sink,
                    expected,
                    delivered,
                    lost.size(),
                    duplicated,
                    inconsistentDuplicates.size(),
                    unexpected.size(),
                    outOfOrder.size(),
                    clean()
                            ? ""
                            : "; first lost "
                                    + first(lost)
                                    + ", unexpected "
                                    + first(unexpected)
                                    + ", "
                                    + first(inconsistentDuplicates)
                                    + ", "
                                    + first(outOfOrder));
        }

        private static List<?> first(List<?> items) {
            return items.subList(0, Math.min(5, items.size()));
        }
    }

    private final String versionColumn;
    private final List<Change> expected = new ArrayList<>();
    private final Map<Change, Integer> position = new HashMap<>();
    private final Map<Change, Long> committedBefore = new HashMap<>();

    /**
     * @param versionColumn the column each change of the test sets to a value of its own
     */
    public LossChecker(String versionColumn) {
        this.versionColumn = versionColumn;
    }

    /** Records a committed change; call in commit order. */
    public synchronized void expect(String table, String key, Operation operation, Object version) {
        Change c = new Change(table, key, operation, String.valueOf(version));
        if (position.putIfAbsent(c, expected.size()) != null) {
            throw new IllegalArgumentException("the same change twice: " + c);
        }
        expected.add(c);
    }

    /**
     * Records a committed change whose commit record lies before {@code walPosition} (read right
     * after the commit), for {@link #repeatedFromBefore}.
     */
    public synchronized void expect(
            String table, String key, Operation operation, Object version, long walPosition) {
        expect(table, key, operation, version);
        committedBefore.put(expected.get(expected.size() - 1), walPosition);
    }

    public synchronized int expectedCount() {
        return expected.size();
    }

    /**
     * The change an envelope reports: its row's version is in {@code current}, for deletes in
     * {@code previous}.
     */
    public Change changeOf(ChangeEnvelope e) {
        RowImage row = e.operation() == Operation.DELETE ? e.previous() : e.current();
        String key = e.key() == null ? null : String.join(",", e.key().asMap().values());
        String version =
                row == null || !row.has(versionColumn) ? null : text(row.json(versionColumn));
        return new Change(e.table(), key, e.operation(), version);
    }

    /** Whether every expected change is among {@code delivered}. */
    public synchronized boolean coveredBy(Collection<ChangeEnvelope> delivered) {
        Set<Change> seen = new HashSet<>();
        delivered.forEach(e -> seen.add(changeOf(e)));
        return seen.containsAll(expected);
    }

    /**
     * The changes {@code delivered} more than once that committed before {@code position}. A job
     * that resumes from a checkpoint at or after that position must not repeat them: its duplicates
     * come only after the restored checkpoint. Changes recorded without a WAL position (snapshot
     * rows) are not judged.
     */
    public synchronized List<Change> repeatedFromBefore(
            long position, Collection<ChangeEnvelope> delivered) {
        Map<Change, Integer> copies = new HashMap<>();
        delivered.forEach(e -> copies.merge(changeOf(e), 1, Integer::sum));
        List<Change> early = new ArrayList<>();
        copies.forEach(
                (c, n) -> {
                    Long before = committedBefore.get(c);
                    if (n > 1 && before != null && before <= position) {
                        early.add(c);
                    }
                });
        return early;
    }

    /** Checks a sink that keeps each row's changes in delivery order (a queue, a shard, a log). */
    public Report check(String sink, List<ChangeEnvelope> delivered) {
        return check(sink, delivered, true);
    }

    /** Checks a sink without a delivery order (a table): no order check. */
    public Report checkUnordered(String sink, Collection<ChangeEnvelope> delivered) {
        return check(sink, List.copyOf(delivered), false);
    }

    private synchronized Report check(
            String sink, List<ChangeEnvelope> delivered, boolean ordered) {
        Map<Change, List<ChangeEnvelope>> copies = new LinkedHashMap<>();
        Map<String, Change> changeOfId = new HashMap<>();
        Map<String, Integer> lastPositionOfRow = new HashMap<>();
        List<Change> unexpected = new ArrayList<>();
        List<String> inconsistent = new ArrayList<>();
        List<String> outOfOrder = new ArrayList<>();
        for (ChangeEnvelope e : delivered) {
            Change c = changeOf(e);
            Change sameId = changeOfId.putIfAbsent(e.id(), c);
            if (sameId != null && !sameId.equals(c)) {
                inconsistent.add("id " + e.id() + " names both " + sameId + " and " + c);
            }
            List<ChangeEnvelope> earlier = copies.computeIfAbsent(c, k -> new ArrayList<>());
            earlier.add(e);
            Integer at = position.get(c);
            if (at == null) {
                unexpected.add(c);
            } else if (ordered && earlier.size() == 1) {
                // A replay after a restart repeats earlier changes; only first copies must
                // follow the commit order of their row.
                String row = c.table() + "[" + c.key() + "]";
                Integer last = lastPositionOfRow.put(row, at);
                if (last != null && last > at) {
                    outOfOrder.add(c + " after " + expected.get(last));
                }
            }
        }
        int duplicated = 0;
        for (var entry : copies.entrySet()) {
            List<ChangeEnvelope> same = entry.getValue();
            duplicated += same.size() - 1;
            for (ChangeEnvelope copy : same.subList(1, same.size())) {
                if (!sameContent(same.get(0), copy)) {
                    inconsistent.add(
                            entry.getKey() + " as " + same.get(0).id() + " and " + copy.id());
                }
            }
        }
        List<Change> lost = new ArrayList<>();
        for (Change c : expected) {
            if (!copies.containsKey(c)) {
                lost.add(c);
            }
        }
        return new Report(
                sink,
                expected.size(),
                delivered.size(),
                lost,
                duplicated,
                inconsistent,
                unexpected,
                outOfOrder);
    }

    /**
     * The same envelope: equal in every field but two that depend on the delivery, not the change:
     * a snapshot row read again carries the time of that read, and {@code commit_lsn} is the
     * position of the decoding session (see the README's envelope table).
     */
    private static boolean sameContent(ChangeEnvelope a, ChangeEnvelope b) {
        return a.equals(b) || comparable(a).equals(comparable(b));
    }

    private static JsonNode comparable(ChangeEnvelope e) {
        try {
            ObjectNode tree = (ObjectNode) EnvelopeJson.EXACT.readTree(e.json());
            tree.remove("commit_lsn");
            if (e.snapshot()) {
                tree.remove("timestamp");
            }
            return tree;
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    private static String text(String json) {
        try {
            return EnvelopeJson.EXACT.readTree(json).asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
