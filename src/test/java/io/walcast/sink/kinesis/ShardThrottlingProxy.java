package io.walcast.sink.kinesis;

import com.fasterxml.jackson.databind.JsonNode;
import io.walcast.testing.KinesisProxy;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A {@link KinesisProxy} that enforces per-shard write limits the way Kinesis does, which the
 * emulator does not: each shard takes at most {@code recordsPerSecond} records and {@code
 * bytesPerSecond} bytes (data + partition key) per second, refilled continuously; a record over its
 * shard's budget is answered with {@code ProvisionedThroughputExceededException} and never reaches
 * the emulator, the others are forwarded. Records go to shards by the MD5 of their partition key
 * over evenly split hash ranges, as Kinesis assigns them. Needs the JSON protocol ({@code
 * aws.cborEnabled=false}).
 */
public final class ShardThrottlingProxy extends KinesisProxy {
    private static final BigInteger HASH_SPACE = BigInteger.ONE.shiftLeft(128);

    private final Bucket[] shards;

    public ShardThrottlingProxy(
            String targetEndpoint, int shards, double recordsPerSecond, double bytesPerSecond)
            throws IOException {
        super(targetEndpoint);
        this.shards = new Bucket[shards];
        for (int i = 0; i < shards; i++) {
            this.shards[i] = new Bucket(recordsPerSecond, bytesPerSecond);
        }
    }

    @Override
    protected boolean refuses(JsonNode record, long nowNanos) {
        String key = record.get("PartitionKey").asText();
        // base64 data: 3 bytes per 4 characters
        long bytes = record.get("Data").asText().length() * 3L / 4 + key.length();
        return !shards[shardOf(key, shards.length)].take(nowNanos, bytes);
    }

    /** The shard of a partition key among {@code shards} evenly split hash ranges. */
    static int shardOf(String partitionKey, int shards) {
        try {
            byte[] md5 =
                    MessageDigest.getInstance("MD5")
                            .digest(partitionKey.getBytes(StandardCharsets.UTF_8));
            BigInteger hash = new BigInteger(1, md5);
            return hash.multiply(BigInteger.valueOf(shards)).divide(HASH_SPACE).intValue();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token bucket per shard holding at most one second of its limits. */
    private static final class Bucket {
        private final double recordsPerSecond;
        private final double bytesPerSecond;
        private double records;
        private double bytes;
        private long lastNanos = System.nanoTime();

        Bucket(double recordsPerSecond, double bytesPerSecond) {
            this.recordsPerSecond = recordsPerSecond;
            this.bytesPerSecond = bytesPerSecond;
            this.records = recordsPerSecond;
            this.bytes = bytesPerSecond;
        }

        synchronized boolean take(long now, long recordBytes) {
            double seconds = Math.max(0, now - lastNanos) / 1e9;
            lastNanos = Math.max(lastNanos, now);
            records = Math.min(recordsPerSecond, records + seconds * recordsPerSecond);
            bytes = Math.min(bytesPerSecond, bytes + seconds * bytesPerSecond);
            if (records < 1 || bytes < recordBytes) {
                return false;
            }
            records -= 1;
            bytes -= recordBytes;
            return true;
        }
    }
}
