package io.walcast.sink.rabbitmq;

import java.io.IOException;

/**
 * A message the broker did not take: nacked, unroutable, unconfirmed in time, or on a lost
 * connection. Thrown before a checkpoint completes, so the job restarts from the last one.
 */
public final class DeliveryException extends IOException {
    public DeliveryException(String message) {
        super(message);
    }

    public DeliveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
