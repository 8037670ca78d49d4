package io.walcast.config;

import java.util.List;

/**
 * A job definition that cannot run: every problem found, one per line, each with key, rule, value.
 */
public final class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(
                "invalid job definition "
                        + source
                        + " ("
                        + problems.size()
                        + (problems.size() == 1 ? " problem" : " problems")
                        + "):\n  - "
                        + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
