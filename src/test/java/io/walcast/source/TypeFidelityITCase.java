package io.walcast.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.walcast.app.Sinks;
import io.walcast.app.WalcastJob;
import io.walcast.config.JobConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Operation;
import io.walcast.sink.EnvelopeSink;
import io.walcast.sink.paimon.PaimonReader;
import io.walcast.testing.CollectedEnvelopes;
import io.walcast.testing.MaterializedTables;
import io.walcast.testing.TestJobs;
import io.walcast.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every built-in type with edge values, in the snapshot and in the stream (inserts, updates, one
 * leaving a TOASTed value unchanged, deletes): each column of each envelope's {@code current}
 * equals Postgres's own {@code to_jsonb} (compared inside Postgres with jsonb equality), and the
 * same run's Paimon current-state table, read back with Paimon's reader, equals the Postgres table
 * in every column of every row, except the documented differences in {@link #KNOWN_DIFFERENCES}.
 */
class TypeFidelityITCase {
    @RegisterExtension static final MiniClusterExtension FLINK = TestJobs.miniCluster();

    /**
     * Column → values (SQL literals), one row per value index; row i uses value i or the last one.
     */
    static final Map<String, List<String>> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("c_int2", List.of("-32768", "32767"));
        COLUMNS.put("c_int4", List.of("-2147483648", "0"));
        COLUMNS.put("c_int8", List.of("-9223372036854775808", "9223372036854775807"));
        COLUMNS.put(
                "c_numeric",
                List.of(
                        "'NaN'",
                        "'" + "9".repeat(500) + "." + "1".repeat(500) + "'",
                        "-0.000000001"));
        COLUMNS.put("c_numeric_scaled", List.of("12345.670", "-1"));
        COLUMNS.put("c_real", List.of("'NaN'", "'Infinity'", "3.4028235e38", "1.17549435e-38"));
        COLUMNS.put("c_double", List.of("'-Infinity'", "1e308", "5e-324", "0.1"));
        // money of 1000 or more cannot be snapshotted (README, known differences): the JDBC driver
        // parses
        // the locale-formatted text ("1,234.56") as a double and fails.
        COLUMNS.put("c_money", List.of("12.34", "-0.5"));
        COLUMNS.put("c_bool", List.of("true", "false"));
        COLUMNS.put(
                "c_text",
                List.of("E'tab\\t nl\\n quote\" back\\\\ é 中 😀'", "''", "repeat('x', 100000)"));
        COLUMNS.put("c_varchar", List.of("'v'"));
        COLUMNS.put("c_char", List.of("'ab'"));
        COLUMNS.put(
                "c_date", List.of("'2024-02-29'", "'0044-03-15 BC'", "'infinity'", "'-infinity'"));
        COLUMNS.put(
                "c_timestamp",
                List.of(
                        "'2024-01-02 03:04:05.123456'",
                        "'0001-01-01 00:00:00 BC'",
                        "'infinity'",
                        "'-infinity'"));
        // precision 3 goes to Paimon as epoch milliseconds, 6 as microseconds
        COLUMNS.put(
                "c_timestamp3",
                List.of(
                        "'2024-01-02 03:04:05.123'",
                        "'0044-03-15 10:00:00.5 BC'",
                        "'-infinity'",
                        "'infinity'"));
        COLUMNS.put(
                "c_timestamptz",
                List.of("'2024-07-01 12:00:00.5+02'", "'1900-01-01 00:00:00+05:30'", "'infinity'"));
        COLUMNS.put("c_time", List.of("'23:59:59.999999'", "'00:00:00'"));
        COLUMNS.put("c_timetz", List.of("'12:00:00+02'", "'23:59:59.5-08'"));
        COLUMNS.put("c_interval", List.of("'1 year 2 mons 3 days 04:05:06.789'", "'-1 day'"));
        COLUMNS.put("c_uuid", List.of("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"));
        COLUMNS.put("c_json", List.of("'{\"a\": [1, 2.50, {\"b\": null}], \"a\": 2}'", "'\"s\"'"));
        COLUMNS.put(
                "c_jsonb", List.of("'{\"n\": {\"deep\": [true, false, null, 1e400]}}'", "'[]'"));
        COLUMNS.put("c_bytea", List.of("'\\x00ff'", "''"));
        COLUMNS.put("c_int_array", List.of("'{1,NULL,3}'", "'{{1,2},{3,4}}'", "'{}'"));
        COLUMNS.put("c_text_array", List.of("'{\"a b\",NULL,\"\\\"q\\\"\"}'"));
        COLUMNS.put("c_enum", List.of("'happy'"));
        COLUMNS.put("c_domain", List.of("42"));
        COLUMNS.put("c_int4range", List.of("'[1,10)'", "'empty'"));
        COLUMNS.put("c_tstzrange", List.of("'[2024-01-01 00:00:00+00,)'"));
        COLUMNS.put("c_hstore", List.of("'a=>1, b=>NULL'"));
        COLUMNS.put("c_inet", List.of("'192.168.0.1/24'", "'::1'"));
        COLUMNS.put("c_cidr", List.of("'10.0.0.0/8'"));
        COLUMNS.put("c_macaddr", List.of("'08:00:2b:01:02:03'"));
        COLUMNS.put("c_point", List.of("'(1.5,-2)'"));
        COLUMNS.put("c_box", List.of("'((0,0),(1,1))'"));
        COLUMNS.put("c_bit", List.of("B'101'"));
        COLUMNS.put("c_varbit", List.of("B'1100101'"));
        COLUMNS.put("c_xml", List.of("'<a x=\"1\">t</a>'"));
        COLUMNS.put("c_tsvector", List.of("'fat cat:1 rat'"));
    }

    static final String TYPES =
            "c_int2 int2, c_int4 int4, c_int8 int8, c_numeric numeric, c_numeric_scaled numeric(10,3),"
                    + " c_real real, c_double double precision, c_money money, c_bool bool, c_text text,"
                    + " c_varchar varchar(5), c_char char(4), c_date date, c_timestamp timestamp,"
                    + " c_timestamp3 timestamp(3),"
                    + " c_timestamptz timestamptz, c_time time, c_timetz timetz, c_interval interval,"
                    + " c_uuid uuid, c_json json, c_jsonb jsonb, c_bytea bytea, c_int_array int[],"
                    + " c_text_array text[], c_enum mood, c_domain positive_int, c_int4range int4range,"
                    + " c_tstzrange tstzrange, c_hstore hstore, c_inet inet, c_cidr cidr,"
                    + " c_macaddr macaddr, c_point point, c_box box, c_bit bit(3), c_varbit varbit,"
                    + " c_xml xml, c_tsvector tsvector";

    @TempDir static Path dir;
    static TestPostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = TestPostgres.start();
        pg.execute(
                "create extension if not exists hstore",
                "create type mood as enum ('sad', 'happy')",
                "create domain positive_int as int check (value > 0)",
                "create table every_type (id int primary key, " + TYPES + ")",
                "alter table every_type replica identity full");
        for (String sql : inserts(0)) {
            pg.execute(sql);
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    static int rowCount() {
        return COLUMNS.values().stream().mapToInt(List::size).max().orElse(1);
    }

    /**
     * One insert per row; row i takes each column's value i (or null once a column has no more).
     */
    static List<String> inserts(int idOffset) {
        List<String> sql = new ArrayList<>();
        for (int i = 0; i < rowCount(); i++) {
            StringBuilder values = new StringBuilder().append(idOffset + i + 1);
            for (List<String> v : COLUMNS.values()) {
                values.append(", ").append(i < v.size() ? v.get(i) : "null");
            }
            sql.add("insert into every_type values (" + values + ")");
        }
        return sql;
    }

    /**
     * Streamed after the inserts: updates (one leaves a 100 kB TOASTed text unchanged), deletes.
     */
    static final List<String> UPDATES =
            List.of(
                    "update every_type set c_int4 = coalesce(c_int4, 0) + 1 where id in (3, 101)",
                    "update every_type set c_varchar = 'u' where id in (3, 103)");

    static final List<String> DELETES = List.of("delete from every_type where id in (1, 104)");

    static final Duration PATIENCE = Duration.ofMinutes(3);

    @Test
    void everyColumnEqualsToJsonbInSnapshotStreamAndMaterializedTable() throws Exception {
        String warehouse = dir.resolve("warehouse").toUri().toString();
        JobConfig job =
                pg.job(
                        "types",
                        "public\\.every_type",
                        String.join(
                                "\n",
                                "sinks:",
                                "  paimon:",
                                "    warehouse: '" + warehouse + "'",
                                "    database: app",
                                "    history: false"));
        CollectedEnvelopes out = new CollectedEnvelopes();
        JobClient client = start(job, out);
        out.start();
        List<String> mismatches = new ArrayList<>();
        List<String> materialized;
        Set<Integer> streamedRows = new TreeSet<>();
        try (PaimonReader paimon = new PaimonReader(warehouse, "app")) {
            int rows = rowCount();
            List<ChangeEnvelope> snapshot =
                    out.await(e -> e.operation() == Operation.SNAPSHOT, rows, PATIENCE);
            compare(snapshot, "snapshot", mismatches);
            for (String sql : inserts(100)) {
                pg.execute(sql);
            }
            List<ChangeEnvelope> streamed =
                    out.await(e -> e.operation() == Operation.INSERT, rows, PATIENCE);
            compare(streamed, "stream", mismatches);
            pg.execute(UPDATES.toArray(String[]::new));
            pg.execute(DELETES.toArray(String[]::new));
            // Row 3 is updated twice: the last image of each row is the one Postgres holds now.
            Map<String, ChangeEnvelope> lastUpdates = new LinkedHashMap<>();
            for (ChangeEnvelope e :
                    out.await(e -> e.operation() == Operation.UPDATE, 4, PATIENCE)) {
                lastUpdates.put(e.key().json("id"), e);
            }
            compare(List.copyOf(lastUpdates.values()), "stream", mismatches);
            out.await(e -> e.operation() == Operation.DELETE, 2, PATIENCE);
            for (ChangeEnvelope e : out.all()) {
                if (!e.snapshot()) {
                    streamedRows.add(Integer.parseInt(e.key().json("id")));
                }
            }
            assertThat(pg.queryOne("select count(*) from every_type"))
                    .isEqualTo(Integer.toString(2 * rows - 2));
            materialized = awaitMaterialized(paimon, client, streamedRows);
            System.err.printf(
                    "type fidelity: Paimon every_type equals Postgres in %d rows x %d columns"
                            + " but %d values%n",
                    PaimonReader.rows(paimon.table("every_type")).size(),
                    COLUMNS.size() + 1,
                    materialized.size());
        } finally {
            if (!client.getJobStatus().get().isGloballyTerminalState()) {
                client.cancel().get();
            }
            out.close();
        }
        System.err.println("type fidelity mismatches:\n  " + String.join("\n  ", mismatches));
        System.err.println(
                "type fidelity, Paimon every_type against Postgres, mismatches:\n  "
                        + String.join("\n  ", materialized));
        assertThat(mismatches).allMatch(TypeFidelityITCase::known);
        assertThat(materialized).allMatch(TypeFidelityITCase::known);
    }

    /**
     * Waits until the Paimon table has Postgres's rows and differs only where the envelope does
     * (known differences); returns its differences, each as "column (phase): paimon … postgres …",
     * the phase being where the row's current image came from.
     */
    static List<String> awaitMaterialized(
            PaimonReader paimon, JobClient client, Set<Integer> streamedRows) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (client.getJobStatus().get().isGloballyTerminalState()) {
                client.getJobExecutionResult().get(); // throws the job's failure
                throw new AssertionError("the job ended before the table was materialized");
            }
            MaterializedTables.Comparison c;
            try {
                c = MaterializedTables.compare(pg, paimon, "every_type", "every_type");
            } catch (RuntimeException e) {
                c = new MaterializedTables.Comparison(e.toString(), List.of());
            }
            last = c.problem();
            if (last.isEmpty()) {
                List<String> differences = new ArrayList<>();
                for (MaterializedTables.Difference d : c.values()) {
                    String phase =
                            streamedRows.contains(Integer.parseInt(d.key()))
                                    ? "stream"
                                    : "snapshot";
                    differences.add(
                            String.format(
                                    "%s (%s): paimon %s postgres %s",
                                    d.column(), phase, quoted(d.paimon()), quoted(d.postgres())));
                }
                if (differences.stream().allMatch(TypeFidelityITCase::known)) {
                    return differences;
                }
                last = String.join("; ", differences.stream().filter(d -> !known(d)).toList());
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Paimon every_type not equal to Postgres: " + last);
    }

    static boolean known(String mismatch) {
        return KNOWN_DIFFERENCES.stream().anyMatch(mismatch::matches);
    }

    static String quoted(String s) {
        return s == null ? "null" : "\"" + abbreviate(s) + "\"";
    }

    /**
     * Paimon's CDC writer moves its records between operators with Kryo, so generic types stay on
     * here; no restarts, so that a value the sink refuses fails the test at once.
     */
    static JobClient start(JobConfig job, CollectedEnvelopes out) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(1000, CheckpointingMode.EXACTLY_ONCE);
        List<CapturedTable> tables = WalcastJob.prepare(job);
        List<EnvelopeSink> sinks = new ArrayList<>(Sinks.fromConfig(job, tables));
        sinks.add(out);
        WalcastJob.build(env, job, tables, sinks);
        return env.executeAsync(job.name());
    }

    /**
     * Documented in the README (section "The change envelope"). All arise in the CDC engine, so the
     * Paimon table shows them too, and nothing else.
     */
    static final List<String> KNOWN_DIFFERENCES =
            List.of(
                    // the snapshot reads dates through java.sql.Date: the era and the Julian days
                    // go
                    "c_date \\(snapshot\\): .* BC\"",
                    "c_timestamp3? \\(snapshot\\): .* BC\"",
                    // ... and times through java.sql.Time: milliseconds only
                    "c_time \\(snapshot\\): .*",
                    // Debezium normalizes timetz to UTC: the original offset is gone
                    "c_timetz .*",
                    // Debezium 1.9 decodes one-dimensional arrays only
                    "c_int_array .*\\[\\[.*");

    static void compare(List<ChangeEnvelope> envelopes, String phase, List<String> mismatches) {
        for (ChangeEnvelope e : envelopes) {
            String expected =
                    pg.toJsonb("every_type", "id = " + e.key().json("id")).replace("'", "''");
            for (String column : COLUMNS.keySet()) {
                String ours = e.current().json(column);
                String equal =
                        pg.queryOne(
                                "select ('"
                                        + expected
                                        + "'::jsonb -> '"
                                        + column
                                        + "') = '"
                                        + (ours == null ? "null" : ours.replace("'", "''"))
                                        + "'::jsonb");
                if (!"t".equals(equal)) {
                    String theirs =
                            pg.queryOne(
                                    "select ('" + expected + "'::jsonb -> '" + column + "')::text");
                    mismatches.add(
                            column
                                    + " ("
                                    + phase
                                    + "): walcast "
                                    + abbreviate(ours)
                                    + " postgres "
                                    + abbreviate(theirs));
                }
            }
        }
    }

    static String abbreviate(String s) {
        return s == null || s.length() < 120 ? s : s.substring(0, 120) + "…";
    }
}
