package io.walcast.config;

import java.io.Serializable;
import java.util.Map;

/**
 * {@code sinks.paimon:} — materialized datasets: a Paimon table per resource, plus history.
 *
 * @param warehouse a local path or a URI ({@code file:///…}, {@code s3://…})
 * @param database the Paimon database the tables live in
 * @param history whether every envelope is also appended to the {@code walcast_history} table
 * @param buckets buckets of each current-state table (Paimon {@code bucket})
 * @param fileFormat data file format: parquet, orc or avro
 * @param iceberg whether Iceberg-compatible metadata is written next to each table
 * @param tableOptions further Paimon table options, passed through unchanged
 */
public record PaimonSinkConfig(
        String warehouse,
        String database,
        boolean history,
        int buckets,
        String fileFormat,
        boolean iceberg,
        Map<String, String> tableOptions)
        implements Serializable {
    static PaimonSinkConfig read(ConfigNode n) {
        PaimonSinkConfig c =
                new PaimonSinkConfig(
                        n.requiredString("warehouse"),
                        n.string("database", "walcast"),
                        n.bool("history", true),
                        n.integer("buckets", 1, 1, 1024),
                        n.choice("file-format", "parquet", "parquet", "orc", "avro"),
                        n.bool("iceberg", false),
                        n.stringMap("table-options"));
        n.rejectUnknownKeys();
        return c;
    }
}
