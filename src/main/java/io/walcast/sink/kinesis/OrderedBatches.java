package io.walcast.sink.kinesis;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The records waiting for Kinesis, handed out in batches that keep per-key order through partial
 * failures: a batch never holds two records with the same partition key, never a key that is in
 * flight in another request, and never a record while an older record of its key is still waiting.
 * A failed record goes back to its original place, ahead of every later record of its key, and may
 * be held back until a retry time; meanwhile the records of other keys keep going. So at any time
 * at most one record per key is on the wire, and a key's records are accepted by Kinesis strictly
 * in the order they were added, however many requests run at once.
 *
 * <p>Each key has its own queue; only the oldest record of a key that may go now is in the ready
 * queue (ordered by age), so handing out a batch costs O(log n) per record, however many records
 * wait behind keys in flight or held back.
 */
final class OrderedBatches<T> {
    /**
     * One waiting record: its position, partition key, size on the wire, payload, and how often
     * Kinesis has rejected it so far.
     */
    record Entry<T>(long seq, String key, int bytes, T value, int failures) {
        Entry(long seq, String key, int bytes, T value) {
            this(seq, key, bytes, value, 0);
        }
    }

    /** A key's oldest record that must not go before {@code notBefore}. */
    private record Held<T>(long notBefore, Entry<T> entry) {}

    private final Map<String, ArrayDeque<Entry<T>>> byKey = new HashMap<>();
    private final PriorityQueue<Entry<T>> ready =
            new PriorityQueue<>(Comparator.comparingLong(Entry::seq));
    private final PriorityQueue<Held<T>> held =
            new PriorityQueue<>(Comparator.comparingLong(Held::notBefore));
    private final Set<String> inFlightKeys = new HashSet<>();
    private long nextSeq;
    private int waiting;
    private int inFlightRecords;

    void add(String key, int bytes, T value) {
        Entry<T> e = new Entry<>(nextSeq++, key, bytes, value);
        ArrayDeque<Entry<T>> queue = byKey.get(key);
        if (queue == null) {
            queue = new ArrayDeque<>();
            byKey.put(key, queue);
            if (!inFlightKeys.contains(key)) {
                ready.add(e);
            }
        }
        queue.addLast(e);
        waiting++;
    }

    /** Records not yet accepted by Kinesis: waiting or in flight. */
    int size() {
        return waiting + inFlightRecords;
    }

    /** Records in requests not yet completed. */
    int inFlight() {
        return inFlightRecords;
    }

    /** Records not in flight, including those held back by their key. */
    int waiting() {
        return waiting;
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /** When the earliest held-back record may go; {@link Long#MAX_VALUE} if none is held back. */
    long nextRetryAt() {
        Held<T> h = held.peek();
        return h == null ? Long.MAX_VALUE : h.notBefore();
    }

    /** {@link #next(long, int, long)} with every held-back record due. */
    List<Entry<T>> next(int maxRecords, long maxBytes) {
        return next(Long.MAX_VALUE, maxRecords, maxBytes);
    }

    /**
     * The next batch at time {@code now}, oldest first, of at most {@code maxRecords} records and
     * {@code maxBytes} bytes; empty when every waiting record is held back by its key. The records
     * count as in flight until {@link #completed} is called with them.
     */
    List<Entry<T>> next(long now, int maxRecords, long maxBytes) {
        while (!held.isEmpty() && held.peek().notBefore() <= now) {
            ready.add(held.poll().entry());
        }
        List<Entry<T>> batch = new ArrayList<>(Math.min(maxRecords, ready.size()));
        long bytes = 0;
        while (batch.size() < maxRecords && !ready.isEmpty()) {
            Entry<T> e = ready.peek();
            if (bytes + e.bytes() > maxBytes) {
                break;
            }
            ready.poll();
            ArrayDeque<Entry<T>> queue = byKey.get(e.key());
            queue.pollFirst();
            if (queue.isEmpty()) {
                byKey.remove(e.key());
            }
            inFlightKeys.add(e.key());
            bytes += e.bytes();
            batch.add(e);
        }
        waiting -= batch.size();
        inFlightRecords += batch.size();
        return batch;
    }

    /** {@link #completed(List, Collection, long)}, the failed records free to go at once. */
    void completed(List<Entry<T>> batch, Collection<Entry<T>> failed) {
        completed(batch, failed, Long.MIN_VALUE);
    }

    /**
     * Ends a request: the {@code failed} records of {@code batch} wait again at their old places,
     * not before {@code retryAt}, each with one more failure counted; the others are done. Every
     * key of the batch may be sent again.
     */
    void completed(List<Entry<T>> batch, Collection<Entry<T>> failed, long retryAt) {
        Set<Long> failedSeqs = new HashSet<>();
        for (Entry<T> e : failed) {
            failedSeqs.add(e.seq());
        }
        for (Entry<T> e : batch) {
            inFlightKeys.remove(e.key());
            ArrayDeque<Entry<T>> queue = byKey.get(e.key());
            if (failedSeqs.contains(e.seq())) {
                Entry<T> again =
                        new Entry<>(e.seq(), e.key(), e.bytes(), e.value(), e.failures() + 1);
                if (queue == null) {
                    queue = new ArrayDeque<>();
                    byKey.put(e.key(), queue);
                }
                queue.addFirst(again);
                waiting++;
                held.add(new Held<>(retryAt, again));
            } else if (queue != null) {
                ready.add(queue.peekFirst());
            }
        }
        inFlightRecords -= batch.size();
    }
}
