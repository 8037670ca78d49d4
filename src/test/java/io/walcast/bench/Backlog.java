package io.walcast.bench;

import io.walcast.testing.TestPostgres;

/**
 * The WAL backlogs the drains read: one table per shape, built while every consumer is stopped,
 * followed by a logical message that marks its end for {@code pg_recvlogical}.
 */
enum Backlog {
    /** {@code rows} inserts committed as one transaction. */
    ONE_TRANSACTION("one-transaction", "bench_big"),
    /** {@code rows} inserts, each its own transaction. */
    ONE_ROW_TRANSACTIONS("one-row-transactions", "bench_small"),
    /**
     * {@code rows} updates in one transaction (4 rounds over {@code rows / 4} rows, snapshotted
     * before): the cost of before-images from state, {@code previous: none} against {@code state}.
     */
    UPDATES("updates", "bench_upd");

    static final String END_MARKER = "walcast-bench-end";

    final String label;
    final String table;

    Backlog(String label, String table) {
        this.label = label;
        this.table = table;
    }

    /** Rows in the table before the backlog (what a primed walcast job snapshots). */
    int initialRows(int rows) {
        return this == UPDATES ? rows / 4 : 0;
    }

    /** The table, and the publication {@code pg_recvlogical} and the peer read. */
    void createTable(TestPostgres pg, int rows) {
        pg.execute(
                "create table "
                        + table
                        + " (id bigint primary key, payload text, n numeric(12,2), at"
                        + " timestamptz)",
                "create publication " + table + "_pub for table " + table);
        if (initialRows(rows) > 0) {
            pg.execute(
                    "insert into "
                            + table
                            + " select g, md5(g::text), g * 1.5, now() from generate_series(1, "
                            + initialRows(rows)
                            + ") g");
        }
    }

    /** Commits the backlog of {@code rows} changes, then the end marker. */
    void build(TestPostgres pg, int rows) {
        switch (this) {
            case ONE_TRANSACTION ->
                    pg.execute(
                            "insert into "
                                    + table
                                    + " select g, md5(g::text), g * 1.5, now() from"
                                    + " generate_series(1, "
                                    + rows
                                    + ") g");
            case ONE_ROW_TRANSACTIONS ->
                    // A server-side loop: fast, and still one commit per row (not waiting for
                    // each to be flushed: the backlog is built before any consumer reads).
                    pg.execute(
                            "set synchronous_commit = off",
                            "create procedure "
                                    + table
                                    + "_fill(n int) language plpgsql as $$ begin for i in 1..n"
                                    + " loop insert into "
                                    + table
                                    + " values (i, md5(i::text), i * 1.5, now()); commit; end"
                                    + " loop; end $$",
                            "call " + table + "_fill(" + rows + ")");
            case UPDATES -> {
                StringBuilder tx = new StringBuilder("begin;");
                for (int round = 0; round < 4; round++) {
                    tx.append("update ").append(table).append(" set n = n + 1, at = now();");
                }
                pg.execute(tx.append("commit;").toString());
            }
        }
        pg.queryOne("select pg_logical_emit_message(true, '" + END_MARKER + "', 'end')");
    }

    /** Changes in the backlog (UPDATES rounds {@code rows} down to a multiple of 4). */
    int events(int rows) {
        return this == UPDATES ? initialRows(rows) * 4 : rows;
    }
}
