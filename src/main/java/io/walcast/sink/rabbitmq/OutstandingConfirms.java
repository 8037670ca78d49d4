package io.walcast.sink.rabbitmq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The publisher-confirm bookkeeping of one channel: which delivery tags await the broker's ack, a
 * bounded window of them, returned (unroutable) messages, and the first failure. The task thread
 * publishes; the connection thread reports acks, nacks, returns and shutdowns. A failure is sticky:
 * every later call throws it, so nothing published after it can be covered by a checkpoint.
 *
 * <p>RabbitMQ sends {@code basic.return} before the {@code basic.ack} of the same message (AMQP
 * 0-9-1 publisher confirms), so once a message is confirmed its return, if any, is already here.
 */
final class OutstandingConfirms<R> {
    /** What a pending delivery tag stands for, to name it in errors. */
    record Pending(String messageId, String exchange, String routingKey) {}

    private final int maxInFlight;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final NavigableMap<Long, Pending> pending = new TreeMap<>();
    private final List<R> returned = new ArrayList<>();
    private DeliveryException failure;

    OutstandingConfirms(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    /**
     * Registers a message about to be published with {@code tag}; blocks while the window is full.
     * Register before publishing: the ack can arrive before {@code basicPublish} returns.
     */
    void register(long tag, Pending message, Duration timeout)
            throws DeliveryException, InterruptedException {
        lock.lock();
        try {
            long left = timeout.toNanos();
            while (failure == null && pending.size() >= maxInFlight) {
                if (left <= 0) {
                    throw fail(
                            new DeliveryException(
                                    "RabbitMQ confirmed none of the "
                                            + pending.size()
                                            + " messages in flight within "
                                            + timeout
                                            + " (oldest: "
                                            + describe(pending.firstEntry().getValue())
                                            + "); check the broker's health and memory/disk"
                                            + " alarms, or raise sinks.rabbitmq.confirm-timeout"));
                }
                left = changed.awaitNanos(left);
            }
            throwIfFailed();
            pending.put(tag, message);
        } finally {
            lock.unlock();
        }
    }

    /** {@code basic.ack}: the broker has taken responsibility for the message(s). */
    void acked(long tag, boolean multiple) {
        lock.lock();
        try {
            remove(tag, multiple);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** {@code basic.nack}: the broker could not take the message(s); fails every later call. */
    void nacked(long tag, boolean multiple) {
        lock.lock();
        try {
            Pending first = multiple ? firstUpTo(tag) : pending.get(tag);
            int count = multiple ? pending.headMap(tag, true).size() : 1;
            fail(
                    new DeliveryException(
                            "RabbitMQ rejected (nack) "
                                    + count
                                    + " message(s), first "
                                    + describe(first)
                                    + ". A queue it routes to is probably full with"
                                    + " x-overflow=reject-publish, or the broker hit an internal"
                                    + " error. The checkpoint does not complete: the job restarts"
                                    + " from the last one and publishes the message again; make"
                                    + " room in the queue."));
            remove(tag, multiple);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** {@code basic.return}: a mandatory message no queue was bound for. */
    void returned(R message) {
        lock.lock();
        try {
            returned.add(message);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The channel or connection closed: whatever is unconfirmed may be lost. */
    void lost(String cause) {
        lock.lock();
        try {
            fail(
                    new DeliveryException(
                            "RabbitMQ connection lost with "
                                    + pending.size()
                                    + " message(s) unconfirmed ("
                                    + cause
                                    + "); the job restarts from the last checkpoint and"
                                    + " publishes them again"));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every registered message is acked; throws on failure or timeout. */
    void awaitAll(Duration timeout) throws DeliveryException, InterruptedException {
        lock.lock();
        try {
            long left = timeout.toNanos();
            while (failure == null && !pending.isEmpty()) {
                if (left <= 0) {
                    throw fail(
                            new DeliveryException(
                                    "RabbitMQ did not confirm "
                                            + pending.size()
                                            + " message(s) within "
                                            + timeout
                                            + " (oldest: "
                                            + describe(pending.firstEntry().getValue())
                                            + "); the checkpoint fails and the job restarts from"
                                            + " the last one. Check the broker's health and"
                                            + " memory/disk alarms, or raise"
                                            + " sinks.rabbitmq.confirm-timeout"));
                }
                left = changed.awaitNanos(left);
            }
            throwIfFailed();
        } finally {
            lock.unlock();
        }
    }

    /** Takes the returned messages recorded so far. */
    List<R> drainReturned() {
        lock.lock();
        try {
            if (returned.isEmpty()) {
                return List.of(); // the common case, once per published message
            }
            List<R> out = new ArrayList<>(returned);
            returned.clear();
            return out;
        } finally {
            lock.unlock();
        }
    }

    void throwIfFailed() throws DeliveryException {
        lock.lock();
        try {
            if (failure != null) {
                throw new DeliveryException(failure.getMessage(), failure);
            }
        } finally {
            lock.unlock();
        }
    }

    int inFlight() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    /** Records the first failure (later ones are consequences) and returns it. */
    DeliveryException fail(DeliveryException e) {
        lock.lock();
        try {
            if (failure == null) {
                failure = e;
            }
            changed.signalAll();
            return failure;
        } finally {
            lock.unlock();
        }
    }

    private void remove(long tag, boolean multiple) {
        if (multiple) {
            pending.headMap(tag, true).clear();
        } else {
            pending.remove(tag);
        }
    }

    private Pending firstUpTo(long tag) {
        var e = pending.headMap(tag, true).firstEntry();
        return e == null ? null : e.getValue();
    }

    static String describe(Pending p) {
        return p == null
                ? "unknown message"
                : "message "
                        + p.messageId()
                        + " with routing key '"
                        + p.routingKey()
                        + "' on exchange '"
                        + p.exchange()
                        + "'";
    }
}
