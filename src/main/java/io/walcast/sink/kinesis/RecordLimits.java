package io.walcast.sink.kinesis;

import java.nio.charset.StandardCharsets;

/** The Kinesis size limit of one record: data plus partition key, at most 1 MiB. */
final class RecordLimits {
    static final int MAX_RECORD_BYTES = 1024 * 1024;

    private RecordLimits() {}

    /** Bytes a record counts against the record and request limits. */
    static int size(byte[] data, String partitionKey) {
        return data.length + partitionKey.getBytes(StandardCharsets.UTF_8).length;
    }

    static boolean fits(int size) {
        return size <= MAX_RECORD_BYTES;
    }
}
