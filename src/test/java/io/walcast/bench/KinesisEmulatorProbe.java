package io.walcast.bench;

import io.walcast.testing.KinesisEmulator;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * What the Kinesis emulator accepts from a bare client, by shard count and requests in flight, and
 * which error codes it answers with: {@code KinesisEmulatorProbe [records] [shards,...]
 * [inflight,...] [bytes] [fill]}; {@code fill} puts 10 successive chunks of {@code records} on one
 * stream and prints each chunk's rate. Each failed record is counted by its error code and sent
 * again.
 */
public final class KinesisEmulatorProbe {
    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int[] shards = ints(args.length > 1 ? args[1] : "1,2,4,8");
        int[] inFlight = ints(args.length > 2 ? args[2] : "1,2,4,8");
        int size = args.length > 3 ? Integer.parseInt(args[3]) : 400;
        Map<String, Integer> streams = new LinkedHashMap<>();
        for (int s : shards) {
            for (int f : inFlight) {
                streams.put("probe-" + s + "-" + f, s);
            }
        }
        try (KinesisEmulator kinesis = KinesisEmulator.start(streams)) {
            measure(
                    kinesis,
                    "probe-" + shards[0] + "-" + inFlight[0],
                    Math.min(records, 2000),
                    2,
                    size);
            if (args.length > 4 && args[4].equals("fill")) {
                // Does a stream get slower to write as it fills? Successive chunks, one stream.
                String stream = "probe-" + shards[0] + "-" + inFlight[0];
                for (int chunk = 0; chunk < 10; chunk++) {
                    Result r = measure(kinesis, stream, records, inFlight[0], size);
                    System.out.printf(
                            "after %d records: %.0f records/s %s%n",
                            (chunk + 1) * records, r.rate, r.errors);
                }
                System.exit(0);
            }
            System.out.println("record bytes " + size + "; shards inflight records/s MiB/s errors");
            for (int s : shards) {
                for (int f : inFlight) {
                    Result r = measure(kinesis, "probe-" + s + "-" + f, records, f, size);
                    System.out.printf(
                            "%d %d %.0f %.2f %s%n",
                            s, f, r.rate, r.rate * size / 1048576.0, r.errors);
                }
            }
        }
        System.exit(0);
    }

    record Result(double rate, Map<String, Long> errors) {}

    /**
     * Keeps {@code inFlight} requests of 500 records of {@code size} bytes busy until all are
     * accepted.
     */
    static Result measure(
            KinesisEmulator kinesis, String stream, int records, int inFlight, int size)
            throws Exception {
        byte[] data = new byte[size];
        Arrays.fill(data, (byte) 'x');
        SdkBytes bytes = SdkBytes.fromByteArray(data);
        ArrayDeque<String> todo = new ArrayDeque<>();
        for (int i = 0; i < records; i++) {
            todo.add("probe|" + i);
        }
        Map<String, Long> errors = new TreeMap<>();
        Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
        Semaphore slots = new Semaphore(inFlight);
        AtomicLong accepted = new AtomicLong();
        long start = System.nanoTime();
        while (accepted.get() < records) {
            slots.acquire();
            List<String> keys;
            synchronized (todo) {
                keys = new java.util.ArrayList<>();
                while (keys.size() < 500 && !todo.isEmpty()) {
                    keys.add(todo.poll());
                }
            }
            if (keys.isEmpty()) {
                slots.release();
                Thread.sleep(5);
                continue;
            }
            List<PutRecordsRequestEntry> entries = KinesisCeiling.entries(keys, bytes);
            CompletableFuture<Void> unused =
                    kinesis.client()
                            .putRecords(b -> b.streamName(stream).records(entries))
                            .handle(
                                    (resp, error) -> {
                                        synchronized (todo) {
                                            if (error != null) {
                                                counts.computeIfAbsent(
                                                                "request:"
                                                                        + error.getCause()
                                                                                .getClass()
                                                                                .getSimpleName(),
                                                                k -> new AtomicLong())
                                                        .incrementAndGet();
                                                todo.addAll(keys);
                                            } else {
                                                for (int i = 0; i < keys.size(); i++) {
                                                    String code = resp.records().get(i).errorCode();
                                                    if (code != null) {
                                                        counts.computeIfAbsent(
                                                                        code, k -> new AtomicLong())
                                                                .incrementAndGet();
                                                        todo.add(keys.get(i));
                                                    } else {
                                                        accepted.incrementAndGet();
                                                    }
                                                }
                                            }
                                        }
                                        slots.release();
                                        return null;
                                    });
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        slots.acquire(inFlight);
        counts.forEach((k, v) -> errors.put(k, v.get()));
        return new Result(records / seconds, errors);
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
