package io.walcast.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.walcast.envelope.EnvelopeJson;
import io.walcast.sink.paimon.PaimonReader;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.paimon.table.Table;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataTypeRoot;

/**
 * Compares a materialized current-state table (Paimon, read with Paimon's own reader) with its
 * Postgres table: the same keys, and in every column Postgres has the same value, both rendered as
 * text.
 */
public final class MaterializedTables {
    private MaterializedTables() {}

    /** A value that differs: the row's key (key columns joined by "/"), the column, both texts. */
    public record Difference(String key, String column, String postgres, String paimon) {
        @Override
        public String toString() {
            return String.format(
                    "key %s column %s: postgres %s, paimon %s", key, column, postgres, paimon);
        }
    }

    /**
     * The first difference between the Paimon table and the Postgres table ({@code postgresTable}
     * as SQL names it, quoted where needed), or "" when they are equal.
     */
    public static String difference(
            TestPostgres pg, PaimonReader paimon, String paimonTable, String postgresTable) {
        Comparison c = compare(pg, paimon, paimonTable, postgresTable);
        if (!c.problem().isEmpty()) {
            return c.problem();
        }
        return c.values().isEmpty() ? "" : paimonTable + " " + c.values().get(0);
    }

    /**
     * What differs: {@code problem} when the tables cannot be compared value by value (no table,
     * missing columns, different keys), else {@code values}: every differing value.
     */
    public record Comparison(String problem, List<Difference> values) {}

    public static Comparison compare(
            TestPostgres pg, PaimonReader paimon, String paimonTable, String postgresTable) {
        Table lakeTable = paimon.table(paimonTable);
        if (lakeTable == null) {
            return new Comparison("no Paimon table " + paimonTable, List.of());
        }
        // A column dropped in Postgres stays in Paimon (NULL in new rows): compare the others.
        Map<String, String> types = new LinkedHashMap<>();
        for (List<String> row :
                pg.query(
                        "select attname, format_type(atttypid, atttypmod) from pg_attribute"
                                + " where attrelid = '"
                                + postgresTable.replace("'", "''")
                                + "'::regclass and attnum > 0 and not attisdropped")) {
            types.put(row.get(0), row.get(1));
        }
        List<DataField> fields =
                lakeTable.rowType().getFields().stream()
                        .filter(f -> types.containsKey(f.name()))
                        .toList();
        List<String> names = fields.stream().map(DataField::name).toList();
        if (names.size() < types.size()) {
            return new Comparison(
                    paimonTable + " lacks columns of " + postgresTable + ": " + types.keySet(),
                    List.of());
        }
        List<Integer> pk = lakeTable.primaryKeys().stream().map(names::indexOf).toList();
        String select =
                fields.stream()
                        .map(
                                f ->
                                        PaimonReader.postgresExpression(
                                                f.name(), f.type(), types.get(f.name())))
                        .collect(Collectors.joining(", "));
        Map<String, List<String>> postgres = new TreeMap<>();
        for (List<String> row : pg.queryInUtc("select " + select + " from " + postgresTable)) {
            postgres.put(key(pk, row), row);
        }
        Map<String, List<String>> lake = new TreeMap<>();
        for (Map<String, String> row : PaimonReader.rows(lakeTable)) {
            List<String> values = names.stream().map(row::get).toList();
            lake.put(key(pk, values), values);
        }
        if (!postgres.keySet().equals(lake.keySet())) {
            Set<String> missing = new HashSet<>(postgres.keySet());
            missing.removeAll(lake.keySet());
            Set<String> extra = new HashSet<>(lake.keySet());
            extra.removeAll(postgres.keySet());
            return new Comparison(
                    paimonTable + ": keys missing in Paimon " + missing + ", extra " + extra,
                    List.of());
        }
        List<Difference> differences = new ArrayList<>();
        for (String k : postgres.keySet()) {
            for (int i = 0; i < fields.size(); i++) {
                String a = postgres.get(k).get(i);
                String b = lake.get(k).get(i);
                if (!same(fields.get(i), a, b)) {
                    differences.add(new Difference(k, names.get(i), a, b));
                }
            }
        }
        return new Comparison("", differences);
    }

    /** Waits until the tables are equal; fails with the last difference. */
    public static void awaitEqual(
            TestPostgres pg,
            PaimonReader paimon,
            String paimonTable,
            String postgresTable,
            Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String diff;
        while (true) {
            try {
                diff = difference(pg, paimon, paimonTable, postgresTable);
            } catch (RuntimeException e) {
                diff = e.toString(); // a commit in progress, a table not created yet
            }
            if (diff.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        paimonTable + " not equal to Postgres after " + timeout + ": " + diff);
            }
            Thread.sleep(500);
        }
    }

    private static boolean same(DataField f, String postgres, String paimon) {
        if (postgres == null || paimon == null) {
            return postgres == paimon;
        }
        if (postgres.equals(paimon)) {
            return true;
        }
        DataTypeRoot root = f.type().getTypeRoot();
        if (root == DataTypeRoot.DOUBLE) {
            return Double.compare(Double.parseDouble(postgres), Double.parseDouble(paimon)) == 0;
        }
        if (root == DataTypeRoot.FLOAT) { // Postgres's text is of real::float8
            return Float.compare(Float.parseFloat(postgres), Float.parseFloat(paimon)) == 0;
        }
        // arrays and json/jsonb (STRING in Paimon) are equal as JSON, whatever the spacing
        JsonNode a = json(postgres);
        return (root == DataTypeRoot.ARRAY || a != null && a.isContainerNode())
                && a != null
                && a.equals(json(paimon));
    }

    private static JsonNode json(String s) {
        try {
            return EnvelopeJson.EXACT.readTree(s);
        } catch (IOException e) {
            return null;
        }
    }

    private static String key(List<Integer> pk, List<String> row) {
        return pk.stream().map(row::get).collect(Collectors.joining("/"));
    }
}
