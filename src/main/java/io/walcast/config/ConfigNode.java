package io.walcast.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One mapping of a job definition being read: typed getters that record every problem (key, rule,
 * value) instead of stopping at the first, and {@link #rejectUnknownKeys()} that lists the
 * supported keys. Each config section reads itself through one of these.
 */
public final class ConfigNode {
    private final String path;
    private final JsonNode node;
    private final List<String> problems;
    private final EnvSubstitution env;
    private final Set<String> known = new LinkedHashSet<>();

    ConfigNode(String path, JsonNode node, List<String> problems, EnvSubstitution env) {
        this.path = path;
        this.node = node == null ? MissingNode.getInstance() : node;
        this.problems = problems;
        this.env = env;
    }

    private boolean notMappingReported;

    /** Reports, once, a section that should hold keys but holds something else. */
    private boolean isMapping() {
        if (node.isObject() || node.isMissingNode() || node.isNull()) {
            return true;
        }
        if (!notMappingReported) {
            notMappingReported = true;
            problem("", "must be a mapping of keys to values", node);
        }
        return false;
    }

    /** Whether the key is present at all (a sink section written as {@code stdout: {}} is). */
    public boolean has(String key) {
        known.add(key);
        return isMapping() && node.has(key);
    }

    public boolean isPresent() {
        return !node.isMissingNode();
    }

    public String key(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Records a problem with the key, the rule it breaks and the value found. */
    public void problem(String key, String rule, Object value) {
        String where = key.isEmpty() ? path : key(key);
        String got = value == null ? "" : " (got " + render(value) + ")";
        problems.add((where.isEmpty() ? "" : where + ": ") + rule + got);
    }

    private static String render(Object value) {
        if (value instanceof JsonNode n) {
            return n.isTextual() ? "\"" + n.asText() + "\"" : n.toString();
        }
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }

    private JsonNode raw(String key) {
        known.add(key);
        if (!isMapping()) {
            return null;
        }
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    private String scalar(String key, JsonNode v) {
        if (!v.isValueNode()) {
            problem(key, "must be a single value", v);
            return null;
        }
        return env.apply(
                v.asText(),
                var ->
                        problem(
                                key,
                                "environment variable "
                                        + var
                                        + " is not set; export it or write ${"
                                        + var
                                        + ":-default}",
                                null));
    }

    public String string(String key, String defaultValue) {
        JsonNode v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        String s = scalar(key, v);
        return s == null ? defaultValue : s;
    }

    public String requiredString(String key) {
        String s = string(key, null);
        if (s == null || s.isBlank()) {
            problem(key, "is required", null);
        }
        return s;
    }

    public Secret secret(String key) {
        String s = string(key, null);
        return s == null ? Secret.NONE : new Secret(s);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        String s = string(key, null);
        if (s == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(s.trim());
            if (n < min || n > max) {
                problem(key, "must be between " + min + " and " + max, n);
                return defaultValue;
            }
            return n;
        } catch (NumberFormatException e) {
            problem(key, "must be a whole number", s);
            return defaultValue;
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        String s = string(key, null);
        if (s == null) {
            return defaultValue;
        }
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problem(key, "must be true or false", s);
                yield defaultValue;
            }
        };
    }

    public Duration duration(String key, Duration defaultValue) {
        String s = string(key, null);
        if (s == null) {
            return defaultValue;
        }
        Duration d = Durations.parse(s);
        if (d == null) {
            problem(key, "must be a duration like 200ms, 10s, 5m or 1h", s);
            return defaultValue;
        }
        return d;
    }

    /** One of the allowed values (case-insensitive), returned lowercase. */
    public String choice(String key, String defaultValue, String... allowed) {
        String s = string(key, null);
        if (s == null) {
            return defaultValue;
        }
        String lower = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (!List.of(allowed).contains(lower)) {
            problem(key, "must be one of " + String.join(", ", allowed), s);
            return defaultValue;
        }
        return lower;
    }

    public List<String> stringList(String key, List<String> defaultValue) {
        JsonNode v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isArray()) {
            if (v.isValueNode()) {
                return List.of(scalar(key, v));
            }
            problem(key, "must be a list", v);
            return defaultValue;
        }
        List<String> list = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            String s = scalar(key + "[" + i + "]", v.get(i));
            if (s != null) {
                list.add(s);
            }
        }
        return list;
    }

    public List<Pattern> patterns(String key, List<String> defaultValue) {
        List<Pattern> patterns = new ArrayList<>();
        for (String p : stringList(key, defaultValue)) {
            try {
                patterns.add(Pattern.compile(p));
            } catch (PatternSyntaxException e) {
                problem(key, "must be regular expressions: " + e.getDescription(), p);
            }
        }
        return patterns;
    }

    /** A nested mapping; absent is an empty one. */
    public ConfigNode child(String key) {
        return new ConfigNode(key(key), raw(key), problems, env);
    }

    /** The entries of a mapping whose keys are free names (resources, table names). */
    public Map<String, ConfigNode> entries() {
        Map<String, ConfigNode> map = new LinkedHashMap<>();
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(k -> map.put(k, child(k)));
        }
        return map;
    }

    /** The node's own value as a list (for mappings of name to list). */
    public List<String> asStringList(String key) {
        List<String> list = new ArrayList<>();
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String s = scalar(key + "[" + i + "]", node.get(i));
                if (s != null) {
                    list.add(s);
                }
            }
        } else if (node.isValueNode() && !node.isNull()) {
            list.add(scalar(key, node));
        } else {
            problems.add(path + ": must be a list (got " + render(node) + ")");
        }
        return list;
    }

    /** A mapping of free names to string values (metadata). */
    public Map<String, String> stringMap(String key) {
        Map<String, String> map = new LinkedHashMap<>();
        JsonNode v = raw(key);
        if (v == null) {
            return map;
        }
        if (!v.isObject()) {
            problem(key, "must be a mapping", v);
            return map;
        }
        v.fields()
                .forEachRemaining(
                        f -> {
                            String s = scalar(key + "." + f.getKey(), f.getValue());
                            if (s != null) {
                                map.put(f.getKey(), s);
                            }
                        });
        return map;
    }

    /** A mapping of free names to lists of strings ({@code {"public.users": [email]}}). */
    public Map<String, List<String>> stringListMap(String key) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        child(key).entries().forEach((name, n) -> map.put(name, n.asStringList(n.path)));
        return map;
    }

    /** Reports every key present here that no getter asked for, with the supported list. */
    public void rejectUnknownKeys() {
        if (!node.isObject()) {
            return;
        }
        node.fieldNames()
                .forEachRemaining(
                        k -> {
                            if (!known.contains(k)) {
                                problems.add(
                                        key(k)
                                                + ": unknown key; supported keys"
                                                + (path.isEmpty() ? "" : " under " + path)
                                                + " are "
                                                + String.join(", ", new TreeSet<>(known)));
                            }
                        });
    }
}
