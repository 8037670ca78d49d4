package io.walcast.sink.paimon;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
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
import org.apache.paimon.options.Options;
import org.apache.paimon.reader.RecordReader;
import org.apache.paimon.table.Table;
import org.apache.paimon.table.source.ReadBuilder;
import org.apache.paimon.types.ArrayType;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataType;
import org.apache.paimon.types.DecimalType;

/**
 * Reads Paimon tables back with Paimon's own reader (never walcast code), rendering each value as
 * text in the form the test's Postgres queries produce, so the two can be compared.
 */
public final class PaimonReader implements AutoCloseable {
    private static final DateTimeFormatter LOCAL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

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
            case DATE -> LocalDate.ofEpochDay(row.getInt(i)).toString();
            case TIMESTAMP_WITHOUT_TIME_ZONE ->
                    LOCAL.format(row.getTimestamp(i, 6).toLocalDateTime());
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> Long.toString(row.getTimestamp(i, 6).toMicros());
            case BINARY, VARBINARY -> HexFormat.of().formatHex(row.getBinary(i));
            case ARRAY -> array(row.getArray(i), ((ArrayType) type).getElementType());
            default -> row.getString(i).toString();
        };
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

    /** The Postgres expression whose text equals {@link #render} for a column of this type. */
    public static String postgresExpression(String column, DataType type) {
        String c = "\"" + column + "\"";
        return switch (type.getTypeRoot()) {
            case TIMESTAMP_WITHOUT_TIME_ZONE -> "to_char(" + c + ", 'YYYY-MM-DD HH24:MI:SS.US')";
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE ->
                    "(extract(epoch from " + c + ") * 1000000)::bigint::text";
            case BINARY, VARBINARY -> "encode(" + c + ", 'hex')";
            case ARRAY -> "to_jsonb(" + c + ")::text";
            case DOUBLE, FLOAT -> c + "::float8::text";
            default -> c + "::text";
        };
    }

    @Override
    public void close() throws Exception {
        catalog.close();
    }
}
