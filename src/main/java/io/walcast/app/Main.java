package io.walcast.app;

import io.walcast.config.ConfigException;
import io.walcast.source.SourceException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The walcast command line: {@code run}, {@code validate} and {@code demo}. Standard output carries
 * only envelopes (the stdout sink); everything else goes to standard error.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    static final String USAGE =
            String.join(
                    "\n",
                    "usage: walcast <command> [options]",
                    "",
                    "  run <job.yaml> [--local] [--web-port N] [--fresh] [--state-dir DIR] [--parallelism N]",
                    "      Runs the job. With --local: an embedded Flink MiniCluster with the Web UI",
                    "      (default port 8081) that resumes from the job's latest completed checkpoint",
                    "      under --state-dir (default ./.walcast); --fresh starts over. Without --local:",
                    "      submitted to the cluster of `flink run`.",
                    "  validate <job.yaml>",
                    "      Preflight: the job definition, Postgres (wal_level, slots, rights, tables,",
                    "      slot and publication) and every sink; exit code 0 when ready, 1 with problems.",
                    "  demo [--web-port N]",
                    "      Embedded Postgres with a sample schema and workload, envelopes on stdout.");

    private Main() {}

    public static void main(String[] args) throws Exception {
        int code;
        try {
            code = run(args);
        } catch (ConfigException | SourceException | UsageException e) {
            System.err.println("walcast: " + e.getMessage());
            code = 2;
        }
        if (code != 0) {
            System.exit(code);
        }
    }

    static int run(String[] args) throws Exception {
        Deque<String> rest = new ArrayDeque<>(Arrays.asList(args));
        String command = rest.poll();
        if (command == null || command.equals("--help") || command.equals("help")) {
            System.err.println(USAGE);
            return command == null ? 2 : 0;
        }
        Options options = Options.parse(rest);
        switch (command) {
            case "run" -> JobRunner.run(options);
            case "validate" -> {
                return Validate.run(options);
            }
            case "demo" -> Demo.run(options);
            default -> throw new UsageException("unknown command '" + command + "'\n" + USAGE);
        }
        LOG.info("walcast {} finished", command);
        return 0;
    }

    /** A command line that cannot be understood. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
