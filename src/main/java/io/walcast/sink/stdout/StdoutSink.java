package io.walcast.sink.stdout;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.sink.EnvelopeSink;
import io.walcast.sink.EnvelopeWriterSink;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Writes one envelope JSON per line to the process's standard output (the TaskManager's {@code
 * .out} file on a cluster). Lines are flushed before each checkpoint completes, so the sink is
 * at-least-once. Logs never go to standard output, so {@code walcast run … | jq} works.
 */
public final class StdoutSink implements EnvelopeSink {
    @Override
    public String name() {
        return "stdout";
    }

    @Override
    public void attach(DataStream<ChangeEnvelope> envelopes) {
        envelopes.sinkTo(new LineSink()).name("sink-stdout").uid("sink-stdout");
    }

    /** The Sink V2 adapter; all subtasks share the one standard output of their process. */
    static final class LineSink implements EnvelopeWriterSink {

        @Override
        public SinkWriter<ChangeEnvelope> createWriter(WriterInitContext context) {
            LineWriter writer = new LineWriter(STDOUT);
            writer.flushEvery(context.getProcessingTimeService());
            return writer;
        }
    }

    /** The real descriptor 1, unaffected by {@code System.setOut} redirections. */
    private static final OutputStream STDOUT = new FileOutputStream(FileDescriptor.out);

    /** Buffers lines and writes them in blocks; a line is never split between two writes. */
    static final class LineWriter implements SinkWriter<ChangeEnvelope> {
        private static final int BLOCK = 64 * 1024;
        private static final long MAX_DELAY_MS = 100;
        private final OutputStream out;
        private byte[] buffer = new byte[BLOCK];
        private int length;

        LineWriter(OutputStream out) {
            this.out = out;
        }

        /**
         * Lines wait at most {@link #MAX_DELAY_MS} for a full block, so a quiet feed still shows.
         */
        void flushEvery(ProcessingTimeService time) {
            time.registerTimer(
                    time.getCurrentProcessingTime() + MAX_DELAY_MS,
                    now -> {
                        flushBuffer();
                        flushEvery(time);
                    });
        }

        @Override
        public void write(ChangeEnvelope envelope, Context context) throws IOException {
            byte[] json = envelope.json();
            if (length + json.length + 1 > buffer.length) {
                flushBuffer();
                if (json.length + 1 > buffer.length) {
                    buffer = new byte[json.length + 1];
                }
            }
            System.arraycopy(json, 0, buffer, length, json.length);
            length += json.length;
            buffer[length++] = '\n';
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            flushBuffer();
        }

        private void flushBuffer() throws IOException {
            if (length > 0) {
                synchronized (out) {
                    out.write(buffer, 0, length);
                    out.flush();
                }
                length = 0;
            }
        }

        @Override
        public void close() throws IOException {
            flushBuffer();
        }
    }
}
