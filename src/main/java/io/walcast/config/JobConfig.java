package io.walcast.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job definition ({@code jobs/<name>.yaml}): what to capture and where to send it. Loaded once
 * and validated before anything is built; every problem is reported together in one {@link
 * ConfigException}.
 */
public record JobConfig(
        String name,
        Duration checkpointInterval,
        SourceConfig source,
        Map<String, List<Pattern>> resources,
        FilterConfig filters,
        String routingKey,
        Map<String, String> metadata,
        SinksConfig sinks,
        BeforeImageConfig previous)
        implements Serializable {

    public static final String DEFAULT_ROUTING_KEY = "cdc.{resource}.{operation}";
    static final List<String> ROUTING_KEY_FIELDS =
            List.of("resource", "operation", "schema", "table", "database");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static JobConfig load(Path file) {
        return load(file, System.getenv());
    }

    public static JobConfig load(Path file, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of("file not found: " + file));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read: " + e.getMessage()));
        }
        return parse(text, file.toString(), env);
    }

    public static JobConfig parse(String yaml, String source, Map<String, String> env) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new ConfigException(source, List.of("not valid YAML: " + e.getMessage()));
        }
        List<String> problems = new ArrayList<>();
        ConfigNode n = new ConfigNode("", root, problems, new EnvSubstitution(env));
        String name = n.requiredString("name");
        if (name != null && !name.matches("[a-z][a-z0-9_-]{0,40}")) {
            n.problem(
                    "name",
                    "must start with a lowercase letter and hold only a-z, 0-9, '_' and '-' (at"
                            + " most 41 characters)",
                    name);
        }
        Duration checkpoint = n.duration("checkpoint-interval", null);
        if (checkpoint == null || checkpoint.isZero()) {
            n.problem(
                    "checkpoint-interval",
                    "is required and must be positive: the replication slot only advances when a"
                            + " checkpoint completes (e.g. checkpoint-interval: 10s)",
                    checkpoint == null ? null : n.string("checkpoint-interval", null));
        }
        JobConfig c =
                new JobConfig(
                        name,
                        checkpoint,
                        SourceConfig.read(n.child("source"), name),
                        readResources(n.child("resources")),
                        FilterConfig.read(n.child("filters")),
                        n.string("routing-key", DEFAULT_ROUTING_KEY),
                        n.stringMap("metadata"),
                        SinksConfig.read(n.child("sinks")),
                        BeforeImageConfig.read(n.child("previous")));
        Matcher m = PLACEHOLDER.matcher(c.routingKey);
        while (m.find()) {
            if (!ROUTING_KEY_FIELDS.contains(m.group(1))) {
                n.problem(
                        "routing-key",
                        "placeholders must be among {"
                                + String.join("}, {", ROUTING_KEY_FIELDS)
                                + "}",
                        c.routingKey);
            }
        }
        n.rejectUnknownKeys();
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return c;
    }

    private static Map<String, List<Pattern>> readResources(ConfigNode n) {
        Map<String, List<Pattern>> resources = new LinkedHashMap<>();
        n.entries()
                .forEach(
                        (resource, patterns) -> {
                            List<Pattern> compiled = new ArrayList<>();
                            for (String p : patterns.asStringList("")) {
                                try {
                                    compiled.add(Pattern.compile(p));
                                } catch (java.util.regex.PatternSyntaxException e) {
                                    n.problem(
                                            resource,
                                            "must be regular expressions over schema.table: "
                                                    + e.getDescription(),
                                            p);
                                }
                            }
                            resources.put(resource, compiled);
                        });
        return resources;
    }
}
