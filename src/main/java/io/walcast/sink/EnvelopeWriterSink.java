package io.walcast.sink;

import io.walcast.envelope.ChangeEnvelope;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * A Sink V2 of envelopes whose writer is made from a {@code WriterInitContext}. Flink 1.20 still
 * declares the deprecated {@code createWriter(InitContext)} overload (gone in Flink 2.x); it is
 * never called, and it lives only here.
 */
public interface EnvelopeWriterSink extends Sink<ChangeEnvelope> {
    @Override
    @Deprecated
    default SinkWriter<ChangeEnvelope> createWriter(InitContext context) {
        throw new UnsupportedOperationException("Flink calls createWriter(WriterInitContext)");
    }
}
