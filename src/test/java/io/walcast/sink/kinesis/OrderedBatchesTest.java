package io.walcast.sink.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OrderedBatchesTest {
    @Test
    void aBatchNeverHoldsTwoRecordsOfOneKey() {
        OrderedBatches<String> b = new OrderedBatches<>();
        b.add("a", 1, "a1");
        b.add("b", 1, "b1");
        b.add("a", 1, "a2");
        b.add("c", 1, "c1");
        assertThat(values(b.next(500, 1000))).containsExactly("a1", "b1", "c1");
        assertThat(b.waiting()).isEqualTo(1);
    }

    @Test
    void aKeyInFlightHoldsBackItsLaterRecords() {
        OrderedBatches<String> b = new OrderedBatches<>();
        b.add("a", 1, "a1");
        var first = b.next(500, 1000);
        b.add("a", 1, "a2");
        b.add("b", 1, "b1");
        assertThat(values(b.next(500, 1000))).containsExactly("b1");
        b.completed(first, List.of());
        assertThat(values(b.next(500, 1000))).containsExactly("a2");
    }

    @Test
    void aFailedRecordGoesBackAheadOfTheLaterRecordsOfItsKey() {
        OrderedBatches<String> b = new OrderedBatches<>();
        b.add("a", 1, "a1");
        b.add("b", 1, "b1");
        var first = b.next(500, 1000);
        b.add("a", 1, "a2");
        b.add("b", 1, "b2");
        b.completed(first, List.of(first.get(0)));
        assertThat(values(b.next(500, 1000))).containsExactly("a1", "b2");
        assertThat(b.size()).isEqualTo(3);
    }

    @Test
    void batchesRespectTheRecordAndByteLimits() {
        OrderedBatches<String> b = new OrderedBatches<>();
        for (int i = 0; i < 10; i++) {
            b.add("k" + i, 100, "v" + i);
        }
        assertThat(b.next(3, 10_000)).hasSize(3);
        assertThat(b.next(500, 250)).hasSize(2);
        assertThat(b.next(500, 10_000)).hasSize(5);
        assertThat(b.next(500, 10_000)).isEmpty();
        assertThat(b.isEmpty()).isFalse();
    }

    @Test
    void aHeldBackRecordWaitsUntilItsRetryTimeWhileOtherKeysGo() {
        OrderedBatches<String> b = new OrderedBatches<>();
        b.add("a", 1, "a1");
        b.add("b", 1, "b1");
        var first = b.next(0, 500, 1000);
        b.add("a", 1, "a2");
        b.add("b", 1, "b2");
        b.add("c", 1, "c1");
        b.completed(first, List.of(first.get(0)), 100);
        assertThat(b.nextRetryAt()).isEqualTo(100);
        assertThat(values(b.next(50, 500, 1000))).containsExactly("b2", "c1");
        assertThat(values(b.next(99, 500, 1000))).isEmpty();
        assertThat(values(b.next(100, 500, 1000))).containsExactly("a1");
        assertThat(b.nextRetryAt()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aRetriedRecordCountsItsFailures() {
        OrderedBatches<String> b = new OrderedBatches<>();
        b.add("a", 1, "a1");
        var first = b.next(0, 500, 1000);
        b.completed(first, first, 0);
        var second = b.next(0, 500, 1000);
        assertThat(second.get(0).failures()).isEqualTo(1);
        b.completed(second, second, 0);
        assertThat(b.next(0, 500, 1000).get(0).failures()).isEqualTo(2);
    }

    @Test
    void manyRecordsBehindOneKeyInFlightDoNotHoldBackTheOthers() {
        OrderedBatches<String> b = new OrderedBatches<>();
        b.add("hot", 1, "hot0");
        var hot = b.next(0, 500, 1_000_000);
        for (int i = 1; i <= 100_000; i++) {
            b.add("hot", 1, "hot" + i);
        }
        for (int round = 0; round < 1000; round++) {
            b.add("k" + round, 1, "k" + round);
            assertThat(values(b.next(0, 500, 1_000_000))).containsExactly("k" + round);
        }
        b.completed(hot, List.of());
        assertThat(values(b.next(0, 500, 1_000_000))).containsExactly("hot1");
        assertThat(b.waiting()).isEqualTo(99_999);
    }

    /**
     * A simulated Kinesis with several requests in flight that complete in random order and reject
     * records at random: each key's records are accepted exactly in the order added.
     */
    @Test
    void perKeyOrderHoldsThroughRandomPartialFailuresAndConcurrentRequests() {
        Random random = new Random(42);
        OrderedBatches<long[]> b = new OrderedBatches<>();
        Map<String, Long> added = new HashMap<>();
        Map<String, List<Long>> accepted = new HashMap<>();
        List<List<OrderedBatches.Entry<long[]>>> inFlight = new ArrayList<>();
        int total = 20_000;
        int produced = 0;
        long now = 0;
        while (produced < total || !b.isEmpty()) {
            for (int i = 0; i < 50 && produced < total; i++, produced++) {
                String key = "row-" + random.nextInt(200);
                long seq = added.merge(key, 1L, Long::sum);
                b.add(key, 10, new long[] {seq});
            }
            while (inFlight.size() < 4) {
                var batch = b.next(now, 1 + random.nextInt(500), 5_000);
                if (batch.isEmpty()) {
                    break;
                }
                assertThat(batch.stream().map(OrderedBatches.Entry::key).distinct())
                        .hasSize(batch.size());
                inFlight.add(batch);
            }
            now += random.nextInt(30);
            if (inFlight.isEmpty()) {
                continue;
            }
            var done = inFlight.remove(random.nextInt(inFlight.size()));
            List<OrderedBatches.Entry<long[]>> failed = new ArrayList<>();
            for (var e : done) {
                if (random.nextInt(3) == 0) {
                    failed.add(e);
                } else {
                    accepted.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e.value()[0]);
                }
            }
            b.completed(done, failed, now + random.nextInt(100));
        }
        long count = 0;
        for (var e : accepted.entrySet()) {
            List<Long> seqs = e.getValue();
            for (int i = 0; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as(e.getKey()).isEqualTo(i + 1L);
            }
            assertThat((long) seqs.size()).isEqualTo(added.get(e.getKey()));
            count += seqs.size();
        }
        assertThat(count).isEqualTo(total);
        assertThat(Set.copyOf(accepted.keySet())).isEqualTo(added.keySet());
    }

    private static List<String> values(List<OrderedBatches.Entry<String>> batch) {
        return batch.stream().map(OrderedBatches.Entry::value).toList();
    }
}
