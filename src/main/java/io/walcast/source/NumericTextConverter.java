package io.walcast.source;

import io.debezium.data.SpecialValueDecimal;
import io.debezium.spi.converter.CustomConverter;
import io.debezium.spi.converter.RelationalColumn;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * A Debezium converter that hands {@code numeric} values over as their exact text, {@code NaN} and
 * {@code ±Infinity} included. Without it the snapshot path turns those into null (the JDBC driver
 * returns them as doubles, which Debezium's decimal handling drops) and wide values lose nothing
 * only by luck.
 */
public final class NumericTextConverter
        implements CustomConverter<SchemaBuilder, RelationalColumn> {
    /** The schema name {@link ValueRenderer} recognises. */
    public static final String SCHEMA_NAME = "io.walcast.NumericText";

    @Override
    public void configure(Properties props) {}

    @Override
    public void converterFor(
            RelationalColumn column, ConverterRegistration<SchemaBuilder> registration) {
        String type = column.typeName().toLowerCase(Locale.ROOT);
        if (type.equals("numeric") || type.equals("decimal")) {
            registration.register(
                    SchemaBuilder.string().name(SCHEMA_NAME).optional(),
                    NumericTextConverter::text);
        }
    }

    static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (value instanceof SpecialValueDecimal s) {
            if (s.getDecimalValue().isPresent()) {
                return s.getDecimalValue().get().toPlainString();
            }
            return special(s.toDouble());
        }
        if (value instanceof Double d) {
            return special(d);
        }
        if (value instanceof Number n) {
            return new BigDecimal(n.toString()).toPlainString();
        }
        return value.toString();
    }

    private static String special(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return new BigDecimal(Double.toString(d)).toPlainString();
    }
}
