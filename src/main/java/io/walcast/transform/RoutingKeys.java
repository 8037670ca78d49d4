package io.walcast.transform;

import io.walcast.envelope.ChangeEnvelope;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders the routing-key template ({@code cdc.{resource}.{operation}}) for an envelope, lowercase.
 * The template is parsed once; rendering is string concatenation.
 */
public final class RoutingKeys implements Serializable {
    private final List<String> parts = new ArrayList<>();

    /** Parses a template whose placeholders were validated with the job definition. */
    public RoutingKeys(String template) {
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                parts.add(template.substring(i));
                break;
            }
            int close = template.indexOf('}', open);
            parts.add(template.substring(i, open));
            parts.add("{" + template.substring(open + 1, close));
            i = close + 1;
        }
    }

    public String render(ChangeEnvelope e) {
        return render(e.resource(), e);
    }

    /**
     * The key for a change whose resource is {@code resource} (the envelope's may not be set yet).
     */
    public String render(String resource, ChangeEnvelope e) {
        StringBuilder key = new StringBuilder(64);
        for (String part : parts) {
            if (part.startsWith("{")) {
                key.append(
                        switch (part.substring(1)) {
                            case "resource" -> resource;
                            case "operation" -> e.operation().wireName();
                            case "schema" -> e.schema();
                            case "table" -> e.table();
                            case "database" -> e.database();
                            default -> throw new IllegalStateException("placeholder " + part);
                        });
            } else {
                key.append(part);
            }
        }
        return key.toString().toLowerCase(Locale.ROOT);
    }
}
