package io.walcast.config;

import io.walcast.envelope.Operation;
import java.io.Serializable;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code filters:} — which operations pass, which columns are dropped or masked, ignorable updates.
 */
public record FilterConfig(
        Set<Operation> operations,
        Map<String, List<String>> dropColumns,
        Map<String, List<String>> maskColumns,
        Set<String> ignoreUpdatesOnlyTouching)
        implements Serializable {

    static FilterConfig read(ConfigNode n) {
        List<String> ops = n.stringList("operations", null);
        Set<Operation> operations =
                ops == null ? EnumSet.allOf(Operation.class) : EnumSet.noneOf(Operation.class);
        for (String op : ops == null ? List.<String>of() : ops) {
            Operation o = Operation.fromWireName(op);
            if (o == null) {
                n.problem(
                        "operations",
                        "must list operations among insert, update, delete, truncate, snapshot",
                        op);
            } else {
                operations.add(o);
            }
        }
        FilterConfig c =
                new FilterConfig(
                        operations,
                        n.stringListMap("drop-columns"),
                        n.stringListMap("mask-columns"),
                        Set.copyOf(n.stringList("ignore-updates-only-touching", List.of())));
        n.rejectUnknownKeys();
        return c;
    }
}
