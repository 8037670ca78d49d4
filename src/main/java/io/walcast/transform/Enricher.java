package io.walcast.transform;

import io.walcast.config.JobConfig;
import io.walcast.envelope.ChangeEnvelope;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adds what the application knows and the WAL does not: the resource a table belongs to (several
 * tables, e.g. partitions, can share one), the routing key, and the static metadata.
 */
public final class Enricher implements Serializable {
    private final TablePatterns<String> resources = new TablePatterns<>(null);
    private final RoutingKeys routingKeys;
    private final Map<String, String> metadata;

    public Enricher(JobConfig job) {
        job.resources()
                .forEach((resource, patterns) -> patterns.forEach(p -> resources.add(p, resource)));
        this.routingKeys = new RoutingKeys(job.routingKey());
        this.metadata = new LinkedHashMap<>(job.metadata());
    }

    public ChangeEnvelope apply(ChangeEnvelope e) {
        String mapped = resources.get(e.qualifiedTable());
        String resource = mapped == null ? e.table() : mapped;
        return e.toBuilder()
                .resource(resource)
                .routingKey(routingKeys.render(resource, e))
                .metadata(metadata)
                .build();
    }
}
