package io.walcast.sink.paimon;

import io.walcast.source.CapturedTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DataTypeRoot;

/**
 * Decides the shape of a resource's current-state table from the Postgres tables it gathers: the
 * columns (union, in table order) with their mapped types, the primary key, and, against an
 * existing Paimon table, which columns to add and which differences are incompatible.
 */
public final class CurrentStateTables {
    private CurrentStateTables() {}

    /**
     * Paimon table names: lowercase letters (of any script, so {@code Bücher} stays {@code bücher}
     * and {@code 書籍} stays itself rather than {@code __}), digits and underscores.
     */
    public static String tableName(String resource) {
        return resource.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_]", "_");
    }

    /** A column of the wanted table: name, Paimon type, Postgres type. */
    public record Column(String name, DataType type, String postgresType) {}

    /** The wanted table of one resource. */
    public record Wanted(
            String resource, List<Column> columns, List<String> primaryKey, Set<String> json) {}

    /**
     * The wanted table, or an {@link IllegalArgumentException} when the tables of one resource
     * disagree (primary key, a column's type).
     */
    public static Wanted wanted(String resource, List<CapturedTable> tables) {
        List<String> pk = tables.get(0).primaryKey();
        Map<String, Column> columns = new LinkedHashMap<>();
        Set<String> json = new LinkedHashSet<>();
        for (CapturedTable t : tables) {
            if (!t.primaryKey().equals(pk)) {
                throw new IllegalArgumentException(
                        "resource "
                                + resource
                                + " gathers tables with different primary keys ("
                                + tables.get(0).qualifiedName()
                                + ": "
                                + pk
                                + ", "
                                + t.qualifiedName()
                                + ": "
                                + t.primaryKey()
                                + "); one Paimon table needs one key: map them to separate"
                                + " resources");
            }
            for (CapturedTable.Column c : t.columns()) {
                Column col = new Column(c.name(), PaimonTypes.of(c.type()), c.type());
                Column before = columns.putIfAbsent(c.name(), col);
                if (before != null && !before.type().equalsIgnoreNullable(col.type())) {
                    throw new IllegalArgumentException(
                            "resource "
                                    + resource
                                    + ": column "
                                    + c.name()
                                    + " is "
                                    + before.postgresType()
                                    + " in one table and "
                                    + c.type()
                                    + " in "
                                    + t.qualifiedName()
                                    + "; map the tables to separate resources");
                }
                if (PaimonTypes.keepsJson(c.type())) {
                    json.add(c.name());
                }
            }
        }
        return new Wanted(resource, List.copyOf(columns.values()), pk, json);
    }

    /**
     * Columns to add to an existing table; throws when an existing column's type or the primary key
     * differs incompatibly. A STRING column accepts any Postgres type: that is how columns added
     * while a job ran were created, holding the value's text.
     */
    public static List<Column> missing(
            Wanted wanted, String table, List<DataField> existing, List<String> existingPk) {
        if (!existingPk.equals(wanted.primaryKey())) {
            throw new IllegalArgumentException(
                    "Paimon table "
                            + table
                            + " has primary key "
                            + existingPk
                            + " but resource "
                            + wanted.resource()
                            + " now has "
                            + wanted.primaryKey()
                            + "; a key change cannot be applied in place: drop or rename the"
                            + " Paimon table and let the job rebuild it from a fresh snapshot");
        }
        List<Column> add = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Column c : wanted.columns()) {
            DataType now =
                    existing.stream()
                            .filter(f -> f.name().equals(c.name()))
                            .map(DataField::type)
                            .findFirst()
                            .orElse(null);
            if (now == null) {
                add.add(c);
            } else if (!compatible(now, c.type())) {
                problems.add(
                        c.name()
                                + " is "
                                + now.copy(true)
                                + " in Paimon but Postgres now has "
                                + c.postgresType()
                                + " ("
                                + c.type()
                                + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "incompatible schema change for Paimon table "
                            + table
                            + ": "
                            + String.join("; ", problems)
                            + ". Paimon cannot convert existing data in place: drop the Paimon"
                            + " table (it is rebuilt from a fresh snapshot) or revert the"
                            + " Postgres change");
        }
        return add;
    }

    static boolean compatible(DataType existing, DataType wanted) {
        return existing.equalsIgnoreNullable(wanted)
                || existing.getTypeRoot() == DataTypeRoot.VARCHAR;
    }
}
