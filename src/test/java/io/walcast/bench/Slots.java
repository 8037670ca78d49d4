package io.walcast.bench;

import io.walcast.testing.TestPostgres;

/** Replication slot state as the drains need it: who holds a slot, and waiting for that. */
final class Slots {
    private Slots() {}

    /** The walsender backend streaming from {@code slot}, or -1 while nobody does. */
    static long activePid(TestPostgres pg, String slot) {
        String pid =
                pg.queryOne(
                        "select active_pid from pg_replication_slots where slot_name = '"
                                + slot
                                + "' and active");
        return pid == null ? -1 : Long.parseLong(pid);
    }

    /** Waits for a consumer to stream from {@code slot}; {@code alive} throws if it died. */
    static long awaitActive(TestPostgres pg, String slot, Runnable alive)
            throws InterruptedException {
        for (int i = 0; i < 3000; i++) {
            alive.run();
            long pid = activePid(pg, slot);
            if (pid > 0) {
                return pid;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("nobody started streaming from slot " + slot);
    }

    /** After a consumer is killed Postgres notices the closed connection and frees the slot. */
    static void awaitInactive(TestPostgres pg, String slot) throws InterruptedException {
        for (int i = 0; i < 600 && activePid(pg, slot) > 0; i++) {
            Thread.sleep(100);
        }
    }

    /** Bytes of WAL the slot holds back. */
    static long lagBytes(TestPostgres pg, String slot) {
        String lag =
                pg.queryOne(
                        "select pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
                                + " from pg_replication_slots where slot_name = '"
                                + slot
                                + "'");
        return lag == null ? -1 : Long.parseLong(lag);
    }
}
