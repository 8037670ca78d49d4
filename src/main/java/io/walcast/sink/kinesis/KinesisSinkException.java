package io.walcast.sink.kinesis;

/** A Kinesis failure the sink will not retry; the message says what to change. */
public final class KinesisSinkException extends RuntimeException {
    KinesisSinkException(String message) {
        super(message);
    }

    KinesisSinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
