package io.walcast.testing;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.sink.EnvelopeSink;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * A test instrument at the end of the graph: records the LSN of every change the moment it gets
 * there, and declines every checkpoint while closed, so a test can hold checkpoints back while the
 * job keeps reading. The MiniCluster runs in the test's JVM, so static state is shared.
 */
public final class CheckpointGate implements EnvelopeSink {
    public static final AtomicBoolean CLOSED = new AtomicBoolean();
    public static final Set<Long> SEEN = new ConcurrentSkipListSet<>();

    @Override
    public String name() {
        return "gate";
    }

    @Override
    public void attach(DataStream<ChangeEnvelope> envelopes) {
        envelopes.map(new Gate()).name("gate").uid("gate").sinkTo(new DiscardingSink<>());
    }

    static final class Gate implements MapFunction<ChangeEnvelope, Long>, CheckpointedFunction {
        @Override
        public Long map(ChangeEnvelope e) {
            long lsn = e.lsn() == null ? -1 : e.lsn();
            SEEN.add(lsn);
            return lsn;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            if (CLOSED.get()) {
                throw new IllegalStateException(
                        "checkpoint " + context.getCheckpointId() + " held back by the test");
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}
    }
}
