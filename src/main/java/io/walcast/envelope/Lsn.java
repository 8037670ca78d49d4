package io.walcast.envelope;

/** Postgres log sequence numbers in their text form {@code 16/B374D848} (see {@code pg_lsn}). */
public final class Lsn {
    private Lsn() {}

    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase(java.util.Locale.ROOT)
                + "/"
                + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase(java.util.Locale.ROOT);
    }

    public static long parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not an LSN (expected like 16/B374D848): " + text);
        }
        return (Long.parseLong(text.substring(0, slash), 16) << 32)
                | Long.parseLong(text.substring(slash + 1), 16);
    }
}
