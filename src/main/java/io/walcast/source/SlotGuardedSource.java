package io.walcast.source;

import io.walcast.config.SourceConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Lsn;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.cdc.connectors.base.source.assigner.state.PendingSplitsState;
import org.apache.flink.cdc.connectors.base.source.meta.offset.Offset;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitBase;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder.PostgresIncrementalSource;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flink CDC source, with a guard against reading on from a replication slot that lost changes.
 *
 * <p>When the slot is dropped under a running job (its walsender terminated, then {@code
 * pg_drop_replication_slot}) or while the job is stopped, Flink restores the source from the last
 * checkpoint, and Flink CDC creates the slot again (the enumerator on its start, Debezium on
 * connecting): a new slot starts at the current WAL position, and every change between the
 * checkpoint and that position would be skipped without a trace. Neither offers a way to refuse, so
 * the slot is checked where nothing can have created it again yet ({@link
 * ReplicationSlots#requirePresent} says why existence is all that can be judged):
 *
 * <ul>
 *   <li>when the enumerator is restored from a checkpoint, before Flink CDC's enumerator starts (on
 *       a cluster restore too, where {@code walcast run}'s own check never runs);
 *   <li>when the reader receives the stream split, before Debezium connects;
 *   <li>in every checkpoint, before the source's state is taken, so no checkpoint completes after
 *       the slot was dropped.
 * </ul>
 *
 * The failure is a {@link SlotLostException}, which Flink does not retry: the job fails with the
 * message instead of restarting into a new slot.
 *
 * <p>The stream position the reader checkpoints also passes through {@link ResumePositions}, with
 * the position of the last change it emitted, so that resuming from it never skips a transaction's
 * first change.
 */
public final class SlotGuardedSource<T>
        implements Source<T, SourceSplitBase, PendingSplitsState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final PostgresIncrementalSource<T> source;
    private final SourceConfig config;

    SlotGuardedSource(PostgresIncrementalSource<T> source, SourceConfig config) {
        this.source = source;
        this.config = config;
    }

    @Override
    public Boundedness getBoundedness() {
        return source.getBoundedness();
    }

    @Override
    public SourceReader<T, SourceSplitBase> createReader(SourceReaderContext context)
            throws Exception {
        return new Reader<>(source.createReader(context), config);
    }

    @Override
    public SplitEnumerator<SourceSplitBase, PendingSplitsState> createEnumerator(
            SplitEnumeratorContext<SourceSplitBase> context) throws Exception {
        return source.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<SourceSplitBase, PendingSplitsState> restoreEnumerator(
            SplitEnumeratorContext<SourceSplitBase> context, PendingSplitsState checkpoint)
            throws Exception {
        // Flink CDC's enumerator creates the slot when it starts: check before it exists.
        ReplicationSlots.requireForResume(config);
        return source.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<SourceSplitBase> getSplitSerializer() {
        return source.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<PendingSplitsState> getEnumeratorCheckpointSerializer() {
        return source.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return source.getProducedType();
    }

    /** The WAL position a stream split reads on from: the furthest its offset names. */
    static long position(Offset offset) {
        long position = -1;
        for (String key : List.of("lsn", "lsn_proc", "lsn_commit")) {
            String value = offset.getOffset().get(key);
            if (value != null && value.matches("\\d+")) {
                position = Math.max(position, Long.parseLong(value));
            }
        }
        return position;
    }

    private static final class Reader<T> implements SourceReader<T, SourceSplitBase> {
        private static final Logger LOG = LoggerFactory.getLogger(SlotGuardedSource.class);

        private final SourceReader<T, SourceSplitBase> reader;
        private final SourceConfig config;

        /** The WAL position the stream reads on from; -1 until this reader holds the stream. */
        private long position = -1;

        /** The WAL position of the last streamed change emitted, -1 before the first. */
        private long lastChange = -1;

        private Observed observed;

        /** Kept open between checks: one query per checkpoint, not one connection. */
        private Connection connection;

        /** The stream position in each checkpoint not yet known to be complete. */
        private final TreeMap<Long, Long> pending = new TreeMap<>();

        Reader(SourceReader<T, SourceSplitBase> reader, SourceConfig config) {
            this.reader = reader;
            this.config = config;
        }

        @Override
        public void addSplits(List<SourceSplitBase> splits) {
            for (SourceSplitBase split : splits) {
                if (split.isStreamSplit()) {
                    long from = position(split.asStreamSplit().getStartingOffset());
                    if (from > 0) {
                        try {
                            ReplicationSlots.requirePresent(connection(), config, need(from));
                        } catch (SQLException e) {
                            // retried by Flink's restart strategy, like any source failure
                            throw new SourceException(
                                    "cannot check replication slot "
                                            + config.slot()
                                            + ": "
                                            + e.getMessage(),
                                    e);
                        }
                        LOG.info(
                                "replication slot {} exists; the stream reads on from {}",
                                config.slot(),
                                Lsn.format(from));
                        position = Math.max(position, from);
                    }
                }
            }
            reader.addSplits(splits);
        }

        private static String need(long position) {
            return "the job reads on from WAL position " + Lsn.format(position);
        }

        @Override
        public List<SourceSplitBase> snapshotState(long checkpointId) {
            if (position > 0) {
                try {
                    ReplicationSlots.requirePresent(connection(), config, need(position));
                } catch (SQLException e) {
                    closeConnection();
                    // Postgres unreachable: the stream cannot read from it either; the next
                    // checkpoint checks again.
                    LOG.warn("cannot check replication slot {}: {}", config.slot(), e.getMessage());
                }
            }
            List<SourceSplitBase> splits =
                    reader.snapshotState(checkpointId).stream()
                            .map(split -> ResumePositions.safe(split, lastChange))
                            .toList();
            for (SourceSplitBase split : splits) {
                if (split.isStreamSplit()) {
                    pending.put(checkpointId, position(split.asStreamSplit().getStartingOffset()));
                }
            }
            return splits;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            boolean streamed = pending.containsKey(checkpointId);
            Map<Long, Long> done = pending.headMap(checkpointId, true);
            done.values().forEach(p -> position = Math.max(position, p));
            done.clear();
            // Flink CDC now commits the position of this checkpoint, or of one a few before it, to
            // the slot. For a checkpoint this reader took without the stream (during the snapshot,
            // or before the stream split came) it would commit the decoder's current position
            // instead, which runs ahead of what was emitted (a whole 150k-row transaction in
            // LargeTransactionITCase): a failure then would resume past it. Such checkpoints have
            // nothing to commit, so Flink CDC never hears of them.
            if (streamed) {
                reader.notifyCheckpointComplete(checkpointId);
            }
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            pending.remove(checkpointId);
            reader.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void start() {
            reader.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            if (observed == null || observed.output != output) {
                observed = new Observed(output);
            }
            return reader.pollNext(observed);
        }

        /** Notes the WAL position of each streamed change on its way out, for ResumePositions. */
        private void emitted(T record) {
            if (record instanceof ChangeEnvelope e && e.lsn() != null) {
                lastChange = e.lsn();
            }
        }

        /** An output that notes each record on its way. */
        private class Noting implements SourceOutput<T> {
            private final SourceOutput<T> output;

            Noting(SourceOutput<T> output) {
                this.output = output;
            }

            @Override
            public void collect(T record) {
                emitted(record);
                output.collect(record);
            }

            @Override
            public void collect(T record, long timestamp) {
                emitted(record);
                output.collect(record, timestamp);
            }

            @Override
            public void emitWatermark(Watermark watermark) {
                output.emitWatermark(watermark);
            }

            @Override
            public void markIdle() {
                output.markIdle();
            }

            @Override
            public void markActive() {
                output.markActive();
            }
        }

        /** The reader's output, and the per-split outputs it creates, noting each record. */
        private final class Observed extends Noting implements ReaderOutput<T> {
            final ReaderOutput<T> output;

            Observed(ReaderOutput<T> output) {
                super(output);
                this.output = output;
            }

            @Override
            public SourceOutput<T> createOutputForSplit(String splitId) {
                return new Noting(output.createOutputForSplit(splitId));
            }

            @Override
            public void releaseOutputForSplit(String splitId) {
                output.releaseOutputForSplit(splitId);
            }
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return reader.isAvailable();
        }

        @Override
        public void notifyNoMoreSplits() {
            reader.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent sourceEvent) {
            reader.handleSourceEvents(sourceEvent);
        }

        @Override
        public void pauseOrResumeSplits(
                java.util.Collection<String> splitsToPause,
                java.util.Collection<String> splitsToResume) {
            reader.pauseOrResumeSplits(splitsToPause, splitsToResume);
        }

        private Connection connection() throws SQLException {
            if (connection == null || connection.isClosed()) {
                connection = PostgresConnections.open(config);
            }
            return connection;
        }

        private void closeConnection() {
            try {
                if (connection != null) {
                    connection.close();
                }
            } catch (SQLException e) {
                LOG.debug("closing the slot check connection failed", e);
            }
            connection = null;
        }

        @Override
        public void close() throws Exception {
            closeConnection();
            reader.close();
        }
    }
}
