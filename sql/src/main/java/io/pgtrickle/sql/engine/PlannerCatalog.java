package io.pgtrickle.sql.engine;

import io.pgtrickle.planner.catalog.PgCatalog;
import io.pgtrickle.planner.catalog.PgColumn;
import io.pgtrickle.planner.catalog.PgRelation;
import io.pgtrickle.sql.catalog.Source;
import io.pgtrickle.sql.lex.CalciteMask;
import io.pgtrickle.sql.lex.Casts;
import io.pgtrickle.sql.session.Row;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what the planner needs to know of the relations a defining query reads (the planner itself
 * never connects): each relation's columns with their types as {@code format_type} prints them and
 * NOT NULL, its primary key in key order (for a stream table, its row identity when that is a key: the
 * unique index pgtrickle keeps on it, unless its columns may be NULL), a view's definition, and the
 * session's search path. One query for all relations, one for the views' definitions.
 */
final class PlannerCatalog {
    private PlannerCatalog() {
    }

    /**
     * The catalog of a defining query's sources and the views it reads, as the session sees them now; a
     * view with its definition (casts parenthesised, and masked for Calcite, as for a defining query).
     */
    static PgCatalog read(Session session, List<Source> sources, List<Source> views) throws SQLException {
        List<Source> all = new ArrayList<>(sources);
        all.addAll(views);
        List<Long> viewOids = views.stream().map(Source::relid).toList();
        Map<Long, String> definitions = viewOids.isEmpty() ? Map.of() : QueryProbe.definitions(session, viewOids);
        List<PgRelation> out = new ArrayList<>();
        PgCatalog read = read(session, all);
        for (Map<String, PgRelation> schema : read.schemas().values()) {
            for (PgRelation r : schema.values()) {
                String definition = definitions.get(r.oid());
                if (definition == null) {
                    out.add(r);
                } else {
                    String text = Casts.parenthesize(definition);
                    out.add(new PgRelation(r.schema(), r.name(), r.columns(), List.of(), r.oid(),
                            new PgRelation.View(text, CalciteMask.mask(text))));
                }
            }
        }
        return new PgCatalog(out, read.searchPath());
    }

    private static PgCatalog read(Session session, List<Source> sources) throws SQLException {
        List<String> searchPath = new ArrayList<>();
        for (Row r : session.query("SELECT unnest(pg_catalog.current_schemas(false))::text AS schema")) {
            searchPath.add(r.get("schema"));
        }
        if (sources.isEmpty()) {
            return new PgCatalog(List.of(), searchPath);
        }
        String oids = QueryProbe.oidArray(sources.stream().map(Source::relid).toList());
        Map<Long, String[]> names = new LinkedHashMap<>();
        Map<Long, List<PgColumn>> columns = new LinkedHashMap<>();
        Map<Long, List<String>> keys = new LinkedHashMap<>();
        for (Row r : session.query("SELECT c.oid::int8 AS relid, n.nspname, c.relname, a.attname, "
                + "pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, "
                + "(SELECT k.ord FROM pg_catalog.pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
                + " WHERE i.indrelid = c.oid AND k.attnum = a.attnum AND (i.indisprimary OR (i.indisunique "
                // a stream table's row identity is its key: unique, never NULL (NULLS NOT DISTINCT marks group keys)
                + "  AND NOT i.indnullsnotdistinct AND pg_catalog.obj_description(i.indexrelid, 'pg_class') = ? "
                + "  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index p WHERE p.indrelid = c.oid AND p.indisprimary)))) "
                + "AS key_position "
                + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                + "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
                + "WHERE c.oid = ANY (?::oid[]) ORDER BY c.oid, a.attnum", Differential.IDENTITY_INDEX, oids)) {
            long relid = r.getLong("relid");
            names.putIfAbsent(relid, new String[] {r.get("nspname"), r.get("relname")});
            columns.computeIfAbsent(relid, k -> new ArrayList<>())
                    .add(new PgColumn(r.get("attname"), r.get("type"), r.getBoolean("attnotnull")));
            if (r.get("key_position") != null) {
                List<String> key = keys.computeIfAbsent(relid, k -> new ArrayList<>());
                int position = Integer.parseInt(r.get("key_position"));
                while (key.size() < position) {
                    key.add(null);
                }
                key.set(position - 1, r.get("attname"));
            }
        }
        List<PgRelation> relations = new ArrayList<>();
        for (Map.Entry<Long, String[]> e : names.entrySet()) {
            relations.add(new PgRelation(e.getValue()[0], e.getValue()[1], columns.get(e.getKey()),
                    keys.getOrDefault(e.getKey(), List.of()), e.getKey()));
        }
        return new PgCatalog(relations, searchPath);
    }
}
