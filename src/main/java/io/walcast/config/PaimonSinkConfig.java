package io.walcast.config;

import java.io.Serializable;

/** {@code sinks.paimon:} — materialized datasets: a Paimon table per resource, plus history. */
public record PaimonSinkConfig(String warehouse, String database, boolean history)
        implements Serializable {
    static PaimonSinkConfig read(ConfigNode n) {
        PaimonSinkConfig c =
                new PaimonSinkConfig(
                        n.requiredString("warehouse"),
                        n.string("database", "walcast"),
                        n.bool("history", true));
        n.rejectUnknownKeys();
        return c;
    }
}
