package io.walcast.sink.kinesis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * The records waiting for Kinesis, handed out in batches that keep per-key order through partial
 * failures: a batch never holds two records with the same partition key, never a key that is in
 * flight in another request, and never a record while an older record of its key is still waiting.
 * A failed record goes back to its original place, ahead of every later record of its key. So at
 * any time at most one record per key is on the wire, and a key's records are accepted by Kinesis
 * strictly in the order they were added, however many requests run at once.
 */
final class OrderedBatches<T> {
    /** One waiting record: its position, partition key, size on the wire, and payload. */
    record Entry<T>(long seq, String key, int bytes, T value) {}

    private final TreeMap<Long, Entry<T>> waiting = new TreeMap<>();
    private final Set<String> inFlightKeys = new HashSet<>();
    private long nextSeq;
    private int inFlightRecords;

    void add(String key, int bytes, T value) {
        long seq = nextSeq++;
        waiting.put(seq, new Entry<>(seq, key, bytes, value));
    }

    /** Records not yet accepted by Kinesis: waiting or in flight. */
    int size() {
        return waiting.size() + inFlightRecords;
    }

    int waiting() {
        return waiting.size();
    }

    boolean isEmpty() {
        return size() == 0;
    }

    /**
     * The next batch, oldest first, of at most {@code maxRecords} records and {@code maxBytes}
     * bytes; empty when every waiting record is held back by its key. The records count as in
     * flight until {@link #completed} is called with them.
     */
    List<Entry<T>> next(int maxRecords, long maxBytes) {
        List<Entry<T>> batch = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long bytes = 0;
        Iterator<Entry<T>> it = waiting.values().iterator();
        while (it.hasNext() && batch.size() < maxRecords) {
            Entry<T> e = it.next();
            // A key already seen in this scan has an older record waiting or in this batch.
            if (!seen.add(e.key()) || inFlightKeys.contains(e.key())) {
                continue;
            }
            if (bytes + e.bytes() > maxBytes) {
                break;
            }
            bytes += e.bytes();
            batch.add(e);
            it.remove();
        }
        for (Entry<T> e : batch) {
            inFlightKeys.add(e.key());
        }
        inFlightRecords += batch.size();
        return batch;
    }

    /**
     * Ends a request: the {@code failed} records of {@code batch} wait again at their old places,
     * the others are done, and every key of the batch may be sent again.
     */
    void completed(List<Entry<T>> batch, Collection<Entry<T>> failed) {
        for (Entry<T> e : batch) {
            inFlightKeys.remove(e.key());
        }
        for (Entry<T> e : failed) {
            waiting.put(e.seq(), e);
        }
        inFlightRecords -= batch.size();
    }
}
