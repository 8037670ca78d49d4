package io.walcast.bench;

/**
 * One drain of one backlog by one consumer. CPU seconds are the consumer process's own (all its
 * threads; of them, {@code jitSeconds} its JIT compiler threads', for JVMs) and, separately, those
 * of the Postgres walsender backend that decoded the WAL for it; peak RSS is the consumer process's
 * {@code VmHWM}; {@code machine} is what all cores and the RabbitMQ broker did over the drain.
 * {@code seconds} runs from the consumer's start (for walcast: the job being built, JVM start-up
 * excluded) to the last event received.
 */
record DrainResult(
        String backlog,
        String consumer,
        long expected,
        long events,
        double seconds,
        double firstToLastSeconds,
        double consumerCpuSeconds,
        double jitSeconds,
        double walsenderCpuSeconds,
        double peakRssMiB,
        MachineCpu.Window machine) {

    /** Whether every event arrived before the drain's time cap. */
    boolean complete() {
        return events >= expected;
    }

    double rate() {
        return events / seconds;
    }

    double consumerCpuPer100k() {
        return consumerCpuSeconds * 100_000 / events;
    }

    /** NaN where the consumer is not a JVM. */
    double jitPer100k() {
        return jitSeconds * 100_000 / events;
    }

    double walsenderCpuPer100k() {
        return walsenderCpuSeconds * 100_000 / events;
    }

    double brokerCpuPer100k() {
        return machine.brokerSeconds() * 100_000 / events;
    }
}
