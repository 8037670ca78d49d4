package io.walcast.sink.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.walcast.sink.rabbitmq.OutstandingConfirms.Pending;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OutstandingConfirmsTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    private static Pending msg(long n) {
        return new Pending("id-" + n, "walcast", "cdc.article.insert");
    }

    @Test
    void multipleAckConfirmsEveryTagUpToIt() throws Exception {
        OutstandingConfirms<String> c = new OutstandingConfirms<>(100);
        for (long tag = 1; tag <= 5; tag++) {
            c.register(tag, msg(tag), LONG);
        }
        c.acked(3, true);
        assertThat(c.inFlight()).isEqualTo(2);
        c.acked(5, false);
        assertThat(c.inFlight()).isEqualTo(1);
        c.acked(4, false);
        c.awaitAll(Duration.ofMillis(10));
        assertThat(c.inFlight()).isZero();
    }

    @Test
    void awaitAllReturnsOnceTheLastAckArrivesFromAnotherThread() throws Exception {
        OutstandingConfirms<String> c = new OutstandingConfirms<>(100);
        c.register(1, msg(1), LONG);
        c.register(2, msg(2), LONG);
        CompletableFuture<Void> acker =
                CompletableFuture.runAsync(
                        () -> {
                            sleep(200);
                            c.acked(2, true);
                        });
        c.awaitAll(LONG);
        assertThat(c.inFlight()).isZero();
        acker.get();
    }

    @Test
    void nackFailsTheFlushAndEveryLaterPublishNamingTheMessage() throws Exception {
        OutstandingConfirms<String> c = new OutstandingConfirms<>(100);
        c.register(1, msg(1), LONG);
        c.register(2, msg(2), LONG);
        c.nacked(2, false);
        c.acked(1, false);
        assertThatThrownBy(() -> c.awaitAll(LONG))
                .isInstanceOf(DeliveryException.class)
                .hasMessageContaining("rejected (nack)")
                .hasMessageContaining("id-2")
                .hasMessageContaining("cdc.article.insert");
        assertThatThrownBy(() -> c.register(3, msg(3), LONG))
                .hasMessageContaining("rejected (nack)");
    }

    @Test
    void multipleNackNamesTheFirstRejectedMessage() throws Exception {
        OutstandingConfirms<String> c = new OutstandingConfirms<>(100);
        for (long tag = 1; tag <= 4; tag++) {
            c.register(tag, msg(tag), LONG);
        }
        c.acked(1, false);
        c.nacked(3, true);
        assertThat(c.inFlight()).isEqualTo(1);
        assertThatThrownBy(c::throwIfFailed)
                .hasMessageContaining("2 message(s), first message id-2");
    }

    @Test
    void fullWindowBlocksUntilAnAckMakesRoom() throws Exception {
        OutstandingConfirms<String> c = new OutstandingConfirms<>(2);
        c.register(1, msg(1), LONG);
        c.register(2, msg(2), LONG);
        CompletableFuture<Void> third =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                c.register(3, msg(3), LONG);
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        });
        sleep(300);
        assertThat(third).isNotDone();
        c.acked(1, false);
        third.get(10, TimeUnit.SECONDS);
        assertThat(c.inFlight()).isEqualTo(2);
    }

    @Test
    void fullWindowWithoutAcksTimesOut() throws Exception {
        OutstandingConfirms<String> c = new OutstandingConfirms<>(1);
        c.register(1, msg(1), LONG);
        assertThatThrownBy(() -> c.register(2, msg(2), Duration.ofMillis(100)))
                .isInstanceOf(DeliveryException.class)
                .hasMessageContaining("confirmed none of the 1 messages")
                .hasMessageContaining("confirm-timeout");
    }

    @Test
    void unconfirmedMessagesTimeOutTheFlush() throws Exception {
        OutstandingConfirms<String> c = new OutstandingConfirms<>(10);
        c.register(7, msg(7), LONG);
        assertThatThrownBy(() -> c.awaitAll(Duration.ofMillis(100)))
                .isInstanceOf(DeliveryException.class)
                .hasMessageContaining("did not confirm 1 message(s)")
                .hasMessageContaining("id-7");
    }

    @Test
    void lostConnectionWakesAWaitingFlush() throws Exception {
        OutstandingConfirms<String> c = new OutstandingConfirms<>(10);
        c.register(1, msg(1), LONG);
        CompletableFuture.runAsync(
                () -> {
                    sleep(200);
                    c.lost("connection error; reset by peer");
                });
        assertThatThrownBy(() -> c.awaitAll(LONG))
                .isInstanceOf(DeliveryException.class)
                .hasMessageContaining("connection lost with 1 message(s) unconfirmed")
                .hasMessageContaining("reset by peer");
    }

    @Test
    void returnedMessagesAreKeptUntilDrained() throws Exception {
        OutstandingConfirms<String> c = new OutstandingConfirms<>(10);
        c.register(1, msg(1), LONG);
        c.returned("returned-1");
        c.acked(1, false);
        c.awaitAll(LONG);
        assertThat(c.drainReturned()).containsExactly("returned-1");
        assertThat(c.drainReturned()).isEmpty();
    }

    @Test
    void theFirstFailureWins() {
        OutstandingConfirms<String> c = new OutstandingConfirms<>(10);
        c.fail(new DeliveryException("first"));
        c.lost("second");
        assertThatThrownBy(c::throwIfFailed).hasMessage("first");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
