package io.walcast.config;

import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Replaces {@code ${VAR}} and {@code ${VAR:-default}} in job definition values. */
public final class EnvSubstitution {
    private static final Pattern VAR =
            Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private final Map<String, String> env;

    public EnvSubstitution(Map<String, String> env) {
        this.env = env;
    }

    /** The substituted text; each variable that is unset and has no default is reported. */
    public String apply(String text, Consumer<String> missing) {
        if (text.indexOf("${") < 0) {
            return text;
        }
        Matcher m = VAR.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                value = m.group(3);
            }
            if (value == null) {
                missing.accept(m.group(1));
                value = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
