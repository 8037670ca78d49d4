package io.walcast.testing;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.sink.EnvelopeSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.CloseableIterator;

/**
 * Reads the envelope stream back through Flink's own collect sink (results arrive as checkpoints
 * complete), for tests of what the pipeline emits before any external system is involved.
 */
public final class CollectedEnvelopes implements EnvelopeSink {
    private final List<ChangeEnvelope> received = new CopyOnWriteArrayList<>();
    private CloseableIterator<ChangeEnvelope> iterator;
    private Thread reader;

    @Override
    public String name() {
        return "collect";
    }

    @Override
    public void attach(DataStream<ChangeEnvelope> envelopes) {
        iterator = envelopes.collectAsync();
    }

    /** Starts draining the iterator; call after the job was submitted. */
    public CollectedEnvelopes start() {
        reader =
                new Thread(
                        () -> {
                            try {
                                while (iterator.hasNext()) {
                                    received.add(iterator.next());
                                }
                            } catch (RuntimeException e) {
                                // the job was cancelled
                            }
                        },
                        "collect-reader");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    public List<ChangeEnvelope> all() {
        return new ArrayList<>(received);
    }

    /** Waits until at least {@code count} envelopes match, and returns all that match. */
    public List<ChangeEnvelope> await(Predicate<ChangeEnvelope> filter, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<ChangeEnvelope> matching = received.stream().filter(filter).toList();
            if (matching.size() >= count) {
                return matching;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "expected "
                                + count
                                + " envelopes, got "
                                + matching.size()
                                + " within "
                                + timeout
                                + "; all received: "
                                + received);
            }
            Thread.sleep(100);
        }
    }

    public void close() throws Exception {
        if (iterator != null) {
            iterator.close();
        }
    }
}
