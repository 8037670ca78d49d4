package io.walcast.bench;

import io.walcast.testing.KinesisEmulator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * What the Kinesis emulator accepts from a bare client on this machine, so the Kinesis drain can be
 * read against it: records of envelope size, 500 per PutRecords, 2 requests in flight, failed
 * records and timed-out requests sent again.
 */
final class KinesisCeiling {
    private KinesisCeiling() {}

    /** Records per second put on {@code stream}. */
    static double measure(KinesisEmulator kinesis, String stream, int records) throws Exception {
        byte[] data = new byte[400];
        Arrays.fill(data, (byte) 'x');
        SdkBytes bytes = SdkBytes.fromByteArray(data);
        ArrayDeque<String> todo = new ArrayDeque<>();
        for (int i = 0; i < records; i++) {
            todo.add("bare|" + i);
        }
        long start = System.nanoTime();
        while (!todo.isEmpty()) {
            List<CompletableFuture<List<String>>> requests = new ArrayList<>();
            for (int r = 0; r < 2 && !todo.isEmpty(); r++) {
                List<String> keys = new ArrayList<>();
                while (keys.size() < 500 && !todo.isEmpty()) {
                    keys.add(todo.poll());
                }
                List<PutRecordsRequestEntry> entries = entries(keys, bytes);
                requests.add(
                        kinesis.client()
                                .putRecords(b -> b.streamName(stream).records(entries))
                                .thenApply(
                                        resp -> {
                                            List<String> failed = new ArrayList<>();
                                            for (int i = 0; i < keys.size(); i++) {
                                                if (resp.records().get(i).errorCode() != null) {
                                                    failed.add(keys.get(i));
                                                }
                                            }
                                            return failed;
                                        })
                                .exceptionally(timedOut -> keys));
            }
            for (var f : requests) {
                todo.addAll(f.get(5, TimeUnit.MINUTES));
            }
        }
        return records / ((System.nanoTime() - start) / 1e9);
    }

    /** One record per partition key, each with the same payload. */
    static List<PutRecordsRequestEntry> entries(List<String> keys, SdkBytes data) {
        return keys.stream()
                .map(k -> PutRecordsRequestEntry.builder().partitionKey(k).data(data).build())
                .toList();
    }
}
