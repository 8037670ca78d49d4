package io.walcast.app;

import io.walcast.config.JobConfig;
import io.walcast.ops.Finding;
import io.walcast.ops.Preflight;
import java.util.List;

/**
 * {@code walcast validate}: the job definition parses, and the source database and every sink are
 * ready for it ({@link Preflight}); exit code 0 when ready, 1 with each problem and its fix when
 * not.
 */
final class Validate {
    private Validate() {}

    static int run(Options options) {
        JobConfig job = JobConfig.load(options.requireJobFile());
        List<Finding> findings = Preflight.check(job);
        System.err.println("walcast: " + Preflight.report(job, findings));
        return findings.isEmpty() ? 0 : 1;
    }
}
