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
 * @param oid the relation's oid (names its change buffer in the maintenance SQL); 0 in tests that
 *     only build trees
 * @param view a view's definition, which the planner inlines; null for a table or stream table
 */
public record PgRelation(String schema, String name, List<PgColumn> columns, List<String> primaryKey, long oid,
        View view) {
    /**
     * A view's defining SELECT as PostgreSQL prints it with only {@code pg_catalog} on the search path (every
     * relation schema-qualified, as pg_dump does), casts in parentheses as for a defining query, and the same
     * text with the operators Calcite does not know masked ({@code parsed}, of the same length).
     */
    public record View(String query, String parsed) {
        public View {
            if (query.length() != parsed.length()) {
                throw new IllegalArgumentException("the parsed text must be as long as the view's query");
            }
        }
    }

    public PgRelation {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }

    public PgRelation(String schema, String name, List<PgColumn> columns, List<String> primaryKey, long oid) {
        this(schema, name, columns, primaryKey, oid, null);
    }

    public PgRelation(String schema, String name, List<PgColumn> columns, List<String> primaryKey) {
        this(schema, name, columns, primaryKey, 0);
    }

    /** The column of that name. */
    public PgColumn column(String columnName) {
        return columns.stream().filter(c -> c.name().equals(columnName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no column " + columnName + " in " + qualifiedName()));
    }

    /** {@code schema.name}, each part quoted only where PostgreSQL needs it. */
    public String qualifiedName() {
        return qualifiedName(schema, name);
    }

    /** {@code schema.name} as {@link #qualifiedName()} spells it for a relation of that schema and name. */
    public static String qualifiedName(String schema, String name) {
        return quote(schema) + "." + quote(name);
    }

    /** An identifier quoted only where PostgreSQL needs it (lower-case, not a keyword-like oddity). */
    public static String quote(String identifier) {
        return identifier.matches("[a-z_][a-z0-9_$]*") ? identifier : '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
