package io.walcast.app;

import io.walcast.config.JobConfig;
import io.walcast.source.CapturedTable;
import io.walcast.source.CatalogReader;
import java.util.List;

/** {@code walcast validate}: the job definition parses and the source database can be read. */
final class Validate {
    private Validate() {}

    static int run(Options options) {
        JobConfig job = JobConfig.load(options.requireJobFile());
        List<CapturedTable> tables = CatalogReader.read(job.source());
        System.err.println(
                "walcast: job '"
                        + job.name()
                        + "' is valid; it captures "
                        + tables.stream().map(CapturedTable::qualifiedName).toList());
        return tables.isEmpty() ? 1 : 0;
    }
}
