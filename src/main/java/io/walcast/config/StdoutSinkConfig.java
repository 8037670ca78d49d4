package io.walcast.config;

import java.io.Serializable;

/** {@code sinks.stdout:} — one envelope JSON per line on standard output. No settings yet. */
public record StdoutSinkConfig() implements Serializable {
    static StdoutSinkConfig read(ConfigNode n) {
        n.rejectUnknownKeys();
        return new StdoutSinkConfig();
    }
}
