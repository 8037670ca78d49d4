package io.walcast.source;

import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * The job's replication slot no longer holds the changes the job must read next: it was dropped
 * (and maybe created again). No restart can bring those changes back, so Flink fails the job
 * instead of restarting it (a restart would only create a new slot and skip them).
 */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public final class SlotLostException extends SourceException {
    public SlotLostException(String message) {
        super(message);
    }
}
