package io.walcast.config;

/** Where a job without a checkpoint starts reading. */
public enum StartupMode {
    /** Parallel chunked snapshot of the captured tables, then the stream: no gap, no duplicate. */
    INITIAL,
    /** Only changes committed after the job started. */
    LATEST
}
