package io.walcast.sink.kinesis;

import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.RowImage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Kinesis partition key of an envelope: {@code <resource>|<primary key as JSON>}, e.g. {@code
 * orders|{"id":42}}, so every change of one row lands on one shard. Keys longer than Kinesis's
 * 256-character limit become {@code sha256:<hex of the full key>}, which is stable across runs. A
 * table without a primary key uses the bare resource name: all its changes share one shard, in
 * commit order.
 */
public final class PartitionKeys {
    /** Kinesis limit for a partition key (Unicode characters; we count UTF-8 bytes, stricter). */
    static final int MAX_LENGTH = 256;

    private PartitionKeys() {}

    public static String of(ChangeEnvelope e) {
        return of(e.resource(), e.key());
    }

    static String of(String resource, RowImage key) {
        String raw = key == null || key.size() == 0 ? resource : resource + "|" + keyJson(key);
        if (raw.getBytes(StandardCharsets.UTF_8).length <= MAX_LENGTH) {
            return raw;
        }
        return "sha256:" + HexFormat.of().formatHex(sha256(raw));
    }

    /** The key columns as a JSON object in table order, values exactly as the envelope has them. */
    static String keyJson(RowImage key) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < key.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            quote(b, key.column(i)).append(':').append(key.json(i));
        }
        return b.append('}').toString();
    }

    private static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
