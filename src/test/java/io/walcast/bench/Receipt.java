package io.walcast.bench;

import io.walcast.testing.KinesisEmulator;
import io.walcast.testing.RabbitMqBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.paimon.Snapshot;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.options.Options;
import org.apache.paimon.table.FileStoreTable;

/**
 * How a drain knows that a sink received everything: read back from the sink's own system, never
 * from walcast's counters. {@link #poll} returns how many arrived so far and when the first and the
 * last did, as precisely as the reader can tell (external readers: when a poll saw the count
 * change).
 */
interface Receipt {
    record Progress(long count, long firstMillis, long lastMillis) {}

    Progress poll() throws Exception;

    /**
     * Polls until {@code events} arrived or {@code cap} passed (then the progress so far is the
     * answer: a slow sink yields a partial figure, not an endless run). {@code meanwhile} runs on
     * every poll and may throw (e.g. when the consumer died).
     */
    default Progress await(long events, Duration cap, Runnable meanwhile) throws Exception {
        long deadline = System.nanoTime() + cap.toNanos();
        Progress p;
        while ((p = poll()).count() < events && System.nanoTime() < deadline) {
            meanwhile.run();
            Thread.sleep(20);
        }
        return p;
    }

    /**
     * Messages sitting in a queue bound with {@code #} to the sink's exchange (nobody consumes).
     */
    static Receipt rabbitQueue(RabbitMqBroker broker, String queue) {
        return changing(() -> broker.messageCount(queue));
    }

    /** Records on every shard of a Kinesis stream, read with GetRecords from the start. */
    static Receipt kinesisStream(KinesisEmulator.Tail tail) {
        return changing(
                () -> {
                    tail.poll((shard, r) -> {});
                    return tail.count();
                });
    }

    /**
     * Rows committed to the Paimon history table ({@code walcast_history}, one row per change):
     * {@code totalRecordCount} of its latest snapshot. Paimon commits on checkpoints, so this lags
     * the sink's writes by up to one checkpoint interval.
     */
    static Receipt paimonHistory(Path warehouse, String database) {
        Options o = new Options();
        o.set("warehouse", warehouse.toUri().toString());
        o.set("cache-enabled", "false");
        Catalog catalog = CatalogFactory.createCatalog(CatalogContext.create(o));
        Identifier id = Identifier.create(database, "walcast_history");
        return changing(
                () -> {
                    try {
                        Snapshot s =
                                ((FileStoreTable) catalog.getTable(id))
                                        .snapshotManager()
                                        .latestSnapshot();
                        return s == null || s.totalRecordCount() == null ? 0 : s.totalRecordCount();
                    } catch (Catalog.TableNotExistException notYet) {
                        return 0;
                    }
                });
    }

    /** Every sink received everything once the slowest did. */
    static Receipt slowestOf(List<Receipt> receipts) {
        return () -> {
            long count = Long.MAX_VALUE;
            long first = Long.MAX_VALUE;
            long last = 0;
            for (Receipt r : receipts) {
                Progress p = r.poll();
                count = Math.min(count, p.count());
                first = Math.min(first, p.firstMillis());
                last = Math.max(last, p.lastMillis());
            }
            return new Progress(count, first, last);
        };
    }

    interface Counter {
        long count() throws Exception;
    }

    /** A reader that can only count: the last arrival is when the count was last seen to grow. */
    static Receipt changing(Counter counter) {
        long[] seen = {0, 0, 0};
        return () -> {
            long n = counter.count();
            if (n != seen[0]) {
                seen[2] = System.currentTimeMillis();
                seen[1] = seen[0] == 0 ? seen[2] : seen[1];
                seen[0] = n;
            }
            return new Progress(seen[0], seen[1], seen[2]);
        };
    }
}
