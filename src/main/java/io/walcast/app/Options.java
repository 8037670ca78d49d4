package io.walcast.app;

import java.nio.file.Path;
import java.util.Deque;

/** The options of {@code run}, {@code validate} and {@code demo}. */
record Options(
        Path jobFile, boolean local, int webPort, boolean fresh, Path stateDir, int parallelism) {

    static Options parse(Deque<String> args) {
        Path job = null;
        boolean local = false;
        boolean fresh = false;
        int webPort = 8081;
        Path stateDir = Path.of(".walcast");
        int parallelism = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        while (!args.isEmpty()) {
            String a = args.poll();
            switch (a) {
                case "--local" -> local = true;
                case "--fresh" -> fresh = true;
                case "--web-port" -> webPort = number(a, args.poll());
                case "--parallelism" -> parallelism = number(a, args.poll());
                case "--state-dir" -> stateDir = Path.of(value(a, args.poll()));
                default -> {
                    if (a.startsWith("--") || job != null) {
                        throw new Main.UsageException(
                                "unexpected argument '" + a + "'\n" + Main.USAGE);
                    }
                    job = Path.of(a);
                }
            }
        }
        return new Options(job, local, webPort, fresh, stateDir, parallelism);
    }

    Path requireJobFile() {
        if (jobFile == null) {
            throw new Main.UsageException("missing the job definition file\n" + Main.USAGE);
        }
        return jobFile;
    }

    private static String value(String option, String value) {
        if (value == null) {
            throw new Main.UsageException(option + " needs a value");
        }
        return value;
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value(option, value));
        } catch (NumberFormatException e) {
            throw new Main.UsageException(option + " needs a number (got '" + value + "')");
        }
    }
}
