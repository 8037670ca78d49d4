package io.walcast.bench;

/**
 * The flags of {@code bin/bench}. Defaults follow issue 8: 200k-row backlogs, 60 s of steady load
 * (after 40 s of the same load as warm-up), a 1M-row snapshot table (5 × rows, at most 1M, unless
 * {@code --snapshot-rows} says otherwise), and each drain cut off after 10 minutes (the Kinesis
 * emulator can be that slow). {@code only} is null or the part {@code --only} picks: kinesis,
 * rabbitmq, steady or snapshot.
 */
record BenchOptions(
        int rows,
        int steadySeconds,
        int steadyWarmupSeconds,
        double steadyRate,
        int snapshotRows,
        int drainMinutes,
        boolean peer,
        String only,
        String checkpointInterval) {

    static BenchOptions parse(String... args) {
        int rows = 200_000;
        int steadySeconds = 60;
        int steadyWarmupSeconds = 40;
        double steadyRate = 0;
        int snapshotRows = -1;
        int drainMinutes = 10;
        boolean peer = false;
        String only = null;
        String checkpointInterval = "1s";
        for (String a : args) {
            if (a.equals("--large")) {
                rows = 1_000_000;
            } else if (a.startsWith("--rows=")) {
                rows = Integer.parseInt(value(a));
            } else if (a.startsWith("--steady-seconds=")) {
                steadySeconds = Integer.parseInt(value(a));
            } else if (a.startsWith("--steady-warmup=")) {
                steadyWarmupSeconds = Integer.parseInt(value(a));
            } else if (a.startsWith("--steady-rate=")) {
                steadyRate = Double.parseDouble(value(a));
            } else if (a.startsWith("--snapshot-rows=")) {
                snapshotRows = Integer.parseInt(value(a));
            } else if (a.startsWith("--drain-minutes=")) {
                drainMinutes = Integer.parseInt(value(a));
            } else if (a.equals("--peer")) {
                peer = true;
            } else if (a.equals("--only=kinesis")
                    || a.equals("--only=rabbitmq")
                    || a.equals("--only=steady")
                    || a.equals("--only=snapshot")) {
                only = value(a);
            } else if (a.startsWith("--checkpoint-interval=")) {
                checkpointInterval = value(a);
            } else {
                throw new IllegalArgumentException(
                        "unknown option "
                                + a
                                + "; supported: --rows=N --large --steady-seconds=N"
                                + " --steady-warmup=N --steady-rate=TPS --snapshot-rows=N"
                                + " --drain-minutes=N --peer --only=kinesis --only=rabbitmq --only=steady --only=snapshot"
                                + " --checkpoint-interval=D");
            }
        }
        if (snapshotRows < 0) {
            snapshotRows = (int) Math.min(5L * rows, 1_000_000);
        }
        if ("steady".equals(only) && steadyRate <= 0) {
            throw new IllegalArgumentException("--only=steady needs --steady-rate=TPS");
        }
        return new BenchOptions(
                rows,
                steadySeconds,
                steadyWarmupSeconds,
                steadyRate,
                snapshotRows,
                drainMinutes,
                peer,
                only,
                checkpointInterval);
    }

    private static String value(String arg) {
        return arg.substring(arg.indexOf('=') + 1);
    }
}
