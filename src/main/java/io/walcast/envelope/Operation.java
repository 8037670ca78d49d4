package io.walcast.envelope;

/** What happened to a row; the lowercase name is the envelope's {@code operation} field. */
public enum Operation {
    INSERT,
    UPDATE,
    DELETE,
    TRUNCATE,
    SNAPSHOT;

    private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

    public String wireName() {
        return wireName;
    }

    /** The operation for a wire name, or {@code null} when there is none. */
    public static Operation fromWireName(String name) {
        for (Operation op : values()) {
            if (op.wireName.equals(name)) {
                return op;
            }
        }
        return null;
    }
}
