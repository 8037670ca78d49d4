package io.walcast.config;

import java.io.Serializable;

/** A value that must never reach a log line: {@link #toString()} masks it. */
public record Secret(String value) implements Serializable {
    public static final Secret NONE = new Secret("");

    public boolean isEmpty() {
        return value == null || value.isEmpty();
    }

    @Override
    public String toString() {
        return isEmpty() ? "" : "****";
    }
}
