package io.walcast.ops;

import io.walcast.config.JobConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a job definition against the real systems before anything starts: the source database
 * ({@link PostgresPreflight}) and every configured sink ({@link SinkPreflight}). Read-only: it
 * changes nothing in any of them.
 */
public final class Preflight {
    private Preflight() {}

    public static List<Finding> check(JobConfig job) {
        List<Finding> findings = new ArrayList<>(PostgresPreflight.check(job.source()));
        findings.addAll(SinkPreflight.check(job.sinks()));
        return findings;
    }

    /** The findings as lines for a terminal, or one line saying all is well. */
    public static String report(JobConfig job, List<Finding> findings) {
        if (findings.isEmpty()) {
            return "job '" + job.name() + "': preflight passed, the job can start";
        }
        StringBuilder s =
                new StringBuilder("job '")
                        .append(job.name())
                        .append("': preflight found ")
                        .append(findings.size())
                        .append(" problem(s):");
        for (Finding f : findings) {
            s.append("\n  - ").append(f);
        }
        return s.toString();
    }
}
