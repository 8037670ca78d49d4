package io.walcast.testing;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.sink.EnvelopeSink;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * A discarding sink for benchmarks: counts envelopes and notes when the first and the last arrived.
 * The MiniCluster runs in the benchmark's JVM, so the counters are shared statics.
 */
public final class CountingSink implements EnvelopeSink {
    public static final AtomicLong COUNT = new AtomicLong();
    public static final AtomicLong FIRST_NANOS = new AtomicLong();
    public static final AtomicLong LAST_NANOS = new AtomicLong();

    public static void reset() {
        COUNT.set(0);
        FIRST_NANOS.set(0);
        LAST_NANOS.set(0);
    }

    @Override
    public String name() {
        return "count";
    }

    @Override
    public void attach(DataStream<ChangeEnvelope> envelopes) {
        envelopes.sinkTo(counter()).name("sink-count").uid("sink-count");
    }

    /** The counting, discarding sink for a stream of anything. */
    public static <T> Sink<T> counter() {
        return new Counter<>();
    }

    static final class Counter<T> implements Sink<T> {

        @Override
        @Deprecated
        public SinkWriter<T> createWriter(InitContext context) {
            throw new UnsupportedOperationException("Flink calls createWriter(WriterInitContext)");
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(T e, Context c) {
                    long now = System.nanoTime();
                    if (COUNT.getAndIncrement() == 0) {
                        FIRST_NANOS.set(now);
                    }
                    LAST_NANOS.set(now);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
