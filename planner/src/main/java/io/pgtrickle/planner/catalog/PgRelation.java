package io.pgtrickle.planner.catalog;

import java.util.List;

/**
 * A table, view or stream table a defining query may read, as read from PostgreSQL's catalog by the
 * engine (the planner itself never connects).
 *
 * @param schema the schema name
 * @param name the relation name
 * @param columns the columns in order (dropped ones left out)
 * @param primaryKey the primary key's column names in key order; empty when there is none
 */
public record PgRelation(String schema, String name, List<PgColumn> columns, List<String> primaryKey) {
    public PgRelation {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    /** {@code schema.name}, each part quoted only where PostgreSQL needs it. */
    public String qualifiedName() {
        return quote(schema) + "." + quote(name);
    }

    static String quote(String identifier) {
        return identifier.matches("[a-z_][a-z0-9_$]*") ? identifier : '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
