package io.walcast.testing;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.sink.EnvelopeSink;
import io.walcast.sink.EnvelopeWriterSink;
import java.util.concurrent.atomic.AtomicLong;
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
        envelopes.sinkTo(new Counter()).name("sink-count").uid("sink-count");
    }

    static final class Counter implements EnvelopeWriterSink {

        @Override
        public SinkWriter<ChangeEnvelope> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(ChangeEnvelope e, Context c) {
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
