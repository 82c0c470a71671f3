package io.pgtrickle.planner.calcite;

import io.pgtrickle.planner.catalog.PgCatalog;
import io.pgtrickle.planner.catalog.PgRelation;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;

/** A {@link PgCatalog} as Calcite schemas: one per PostgreSQL schema, each relation a table with its key. */
final class CatalogSchema {
    /** PostgreSQL type names that are not standard SQL, as casts use them ({@code x::text}). */
    private static final java.util.List<String> PG_TYPE_NAMES = java.util.List.of("text", "int2", "int4", "int8",
            "float4", "float8", "bool", "bpchar", "bytea", "name", "timestamptz", "json", "jsonb");

    private CatalogSchema() {
    }

    static CalciteSchema root(PgCatalog catalog) {
        CalciteSchema root = CalciteSchema.createRootSchema(false, false);
        for (String type : PG_TYPE_NAMES) { // so that casts to them validate (CALCITE_NOTES.md)
            root.add(type, factory -> PgTypes.of(factory, type, false));
        }
        for (Map.Entry<String, Map<String, PgRelation>> schema : catalog.schemas().entrySet()) {
            Map<String, Table> tables = new LinkedHashMap<>();
            for (PgRelation r : schema.getValue().values()) {
                tables.put(r.name(), new RelationTable(r));
            }
            root.add(schema.getKey(), new AbstractSchema() {
                @Override
                protected Map<String, Table> getTableMap() {
                    return tables;
                }
            });
        }
        return root;
    }
}
