package io.walcast.sink.paimon;

import java.io.Serializable;
import java.util.List;
import java.util.Set;
import org.apache.paimon.types.DataField;
import org.apache.paimon.types.DataType;

/**
 * The shape of one current-state table when the job was built: its Paimon fields (existing tables
 * keep their types), primary key, and which columns hold JSON text.
 *
 * @param table the Paimon table name
 * @param fields the table's fields, in order
 * @param primaryKey primary-key column names
 * @param jsonColumns json/jsonb columns, stored as their JSON text
 */
public record TableLayout(
        String table, List<DataField> fields, List<String> primaryKey, Set<String> jsonColumns)
        implements Serializable {

    /** The Paimon type of a column, or null when the table does not have it yet. */
    public DataType type(String column) {
        for (DataField f : fields) {
            if (f.name().equals(column)) {
                return f.type();
            }
        }
        return null;
    }
}
