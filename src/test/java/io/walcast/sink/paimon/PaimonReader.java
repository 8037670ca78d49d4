package io.walcast.sink.paimon;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.InternalArray;
import org.apache.paimon.data.InternalRow;
import org.apache.paimon.data.Timestamp;
import org.apache.paimon.options.Options;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.table.Table;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.types.ArrayType;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DataTypeChecks;
import org.apache.paimon.types.DecimalType;

/**
 * Reads Paimon tables back with Paimon's own reader (never walcast code), rendering each value as
 * text in the form the test's Postgres queries produce, so the two can be compared.
 */
public final class PaimonReader implements AutoCloseable {
    private static final DateTimeFormatter MONTH_TO_MICROS =
            DateTimeFormatter.ofPattern("MM-dd HH:mm:ss.SSSSSS");

    /** How the sink stores timestamp infinity: 294247-01-10 04:00:54 UTC in microseconds. */
    private static final long INFINITY_MICROS = 9_223_372_036_854_000_000L;

    private final Catalog catalog;
    private final String database;

    public PaimonReader(String warehouse, String database) {
        Options o = new Options();
        o.set("warehouse", warehouse);
        // Tables change under us (schema evolution); a cached table would hide that.
        o.set("cache-enabled", "false");
        this.catalog = CatalogFactory.createCatalog(CatalogContext.create(o));
        this.database = database;
    }

    public Table table(String name) {
        try {
            return catalog.getTable(Identifier.create(database, name));
        } catch (Catalog.TableNotExistException e) {
            return null;
        }
    }

    /** Every row of the table as column → text ({@code null} for SQL NULL), plus its row kind. */
    public static List<Map<String, String>> rows(Table table) {
        List<Map<String, String>> out = new ArrayList<>();
        List<DataField> fields = table.rowType().getFields();
        ReadBuilder rb = table.newReadBuilder();
        try (RecordReader<InternalRow> reader = rb.newRead().createReader(rb.newScan().plan())) {
            reader.forEachRemaining(
                    row -> {
                        Map<String, String> m = new LinkedHashMap<>();
                        m.put("$kind", row.getRowKind().shortString());
                        for (int i = 0; i < fields.size(); i++) {
                            m.put(fields.get(i).name(), render(row, i, fields.get(i).type()));
                        }
                        out.add(m);
                    });
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + table.name(), e);
        }
        return out;
    }

    static String render(InternalRow row, int i, DataType type) {
        if (row.isNullAt(i)) {
            return null;
        }
        return switch (type.getTypeRoot()) {
            case SMALLINT -> Short.toString(row.getShort(i));
            case INTEGER -> Integer.toString(row.getInt(i));
            case BIGINT -> Long.toString(row.getLong(i));
            case BOOLEAN -> Boolean.toString(row.getBoolean(i));
            case FLOAT -> Float.toString(row.getFloat(i));
            case DOUBLE -> Double.toString(row.getDouble(i));
            case DECIMAL -> {
                DecimalType d = (DecimalType) type;
                yield row.getDecimal(i, d.getPrecision(), d.getScale())
                        .toBigDecimal()
                        .toPlainString();
            }
            case DATE -> date(row.getInt(i));
                // the precision decides how the file holds it (milliseconds up to 3 digits)
            case TIMESTAMP_WITHOUT_TIME_ZONE ->
                    timestamp(row.getTimestamp(i, DataTypeChecks.getPrecision(type)));
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> {
                long micros = row.getTimestamp(i, DataTypeChecks.getPrecision(type)).toMicros();
                yield infinity(micros, Long.toString(micros));
            }
            case BINARY, VARBINARY -> HexFormat.of().formatHex(row.getBinary(i));
            case ARRAY -> array(row.getArray(i), ((ArrayType) type).getElementType());
            default -> row.getString(i).toString();
        };
    }

    /**
     * Postgres's ISO text of a date ({@code 0044-03-15 BC}); ±infinity are stored as the ends of
     * Paimon's DATE range (README, "Materialized datasets").
     */
    private static String date(int epochDay) {
        if (epochDay == Integer.MAX_VALUE || epochDay == Integer.MIN_VALUE) {
            return epochDay > 0 ? "infinity" : "-infinity";
        }
        LocalDate d = LocalDate.ofEpochDay(epochDay);
        return String.format(
                "%04d-%02d-%02d%s",
                d.get(ChronoField.YEAR_OF_ERA),
                d.getMonthValue(),
                d.getDayOfMonth(),
                d.getYear() < 1 ? " BC" : "");
    }

    /**
     * A timestamp as {@code to_char(c, 'YYYY-MM-DD HH24:MI:SS.US BC')} writes it; ±infinity are
     * stored as ± 294247-01-10 04:00:54 (README, "Materialized datasets").
     */
    private static String timestamp(Timestamp ts) {
        LocalDateTime t = ts.toLocalDateTime();
        return infinity(
                ts.toMicros(),
                String.format(
                        "%04d-%s %s",
                        t.get(ChronoField.YEAR_OF_ERA),
                        MONTH_TO_MICROS.format(t),
                        t.getYear() < 1 ? "BC" : "AD"));
    }

    private static String infinity(long micros, String finite) {
        return micros == INFINITY_MICROS
                ? "infinity"
                : micros == -INFINITY_MICROS ? "-infinity" : finite;
    }

    /** An array as a JSON array text (strings quoted), like Postgres's to_jsonb of it. */
    private static String array(InternalArray a, DataType element) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < a.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            if (a.isNullAt(i)) {
                b.append("null");
            } else {
                switch (element.getTypeRoot()) {
                    case SMALLINT -> b.append(a.getShort(i));
                    case INTEGER -> b.append(a.getInt(i));
                    case BIGINT -> b.append(a.getLong(i));
                    case BOOLEAN -> b.append(a.getBoolean(i));
                    case DOUBLE -> b.append(a.getDouble(i));
                    default ->
                            b.append(
                                    io.walcast.envelope.EnvelopeJson.EXACT
                                            .getNodeFactory()
                                            .textNode(a.getString(i).toString())
                                            .toString());
                }
            }
        }
        return b.append(']').toString();
    }

    /**
     * The Postgres expression whose text equals {@link #render} for a column of this Paimon type
     * and Postgres type ({@code format_type}), in a session with {@code TimeZone=UTC}.
     */
    public static String postgresExpression(String column, DataType type, String postgresType) {
        String c = "\"" + column + "\"";
        return switch (type.getTypeRoot()) {
            case TIMESTAMP_WITHOUT_TIME_ZONE ->
                    finite(c, "to_char(" + c + ", 'YYYY-MM-DD HH24:MI:SS.US BC')");
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE ->
                    finite(c, "(extract(epoch from " + c + ") * 1000000)::bigint::text");
            case BINARY, VARBINARY -> "encode(" + c + ", 'hex')";
            case ARRAY -> "to_jsonb(" + c + ")::text";
            case DOUBLE, FLOAT -> c + "::float8::text";
                // STRING holds the value as to_jsonb renders it: a JSON string's text (char(n) with
                // its padding, which ::text would drop), other values' JSON; json/jsonb their JSON.
            case CHAR, VARCHAR ->
                    postgresType.equals("json") || postgresType.equals("jsonb")
                            ? "to_jsonb(" + c + ")::text"
                            : "to_jsonb(" + c + ") #>> '{}'";
            default -> c + "::text"; // dates as ISO text: 2024-02-29, 0044-03-15 BC, infinity
        };
    }

    private static String finite(String c, String expression) {
        return "case when isfinite(" + c + ") then " + expression + " else " + c + "::text end";
    }

    @Override
    public void close() throws Exception {
        catalog.close();
    }
}
