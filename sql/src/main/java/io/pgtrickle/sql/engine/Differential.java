package io.pgtrickle.sql.engine;

import static io.pgtrickle.sql.command.Identifiers.quote;

import io.pgtrickle.planner.catalog.PgRelation;
import io.pgtrickle.planner.maintain.DeltaSql;
import io.pgtrickle.planner.maintain.MaintenancePlan;
import io.pgtrickle.planner.maintain.Target;
import io.pgtrickle.planner.tree.Operator;
import io.pgtrickle.planner.tree.TreeBuilder;
import io.pgtrickle.sql.catalog.Source;
import io.pgtrickle.sql.catalog.StreamTable;
import io.pgtrickle.sql.command.Identifiers;
import io.pgtrickle.sql.session.Row;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's side of differential maintenance: compiles a stream table's operator tree into its
 * stored SQL (with the names of the storage table, its columns and the change buffers), checks that
 * PostgreSQL accepts that SQL, keeps the storage table's hidden columns in step with it, and runs the
 * stored SQL under the search_path it was planned with.
 */
final class Differential {
    private Differential() {
    }

    /** The maintenance SQL of a tree for the storage table {@code schema.name}, or why there is none. */
    static MaintenancePlan compile(Session session, Operator tree, String schema, String name,
            List<QueryProbe.Column> columns, List<Source> sources) throws SQLException, TreeBuilder.Unsupported {
        Map<String, String> buffers = new HashMap<>();
        for (Source s : sources) {
            List<Row> stored = session.query("SELECT buffer_table FROM pgtrickle.pgt_change_buffers "
                    + "WHERE source_relid = ?::oid", s.relid());
            String buffer = stored.isEmpty() ? Capture.bufferTable(s.relid()) : stored.get(0).get("buffer_table");
            if (s.capturable()) {
                buffers.put(PgRelation.qualifiedName(s.schema(), s.name()), buffer);
            }
        }
        return DeltaSql.plan(tree, new Target(schema, name, columns.stream().map(QueryProbe.Column::name).toList(),
                accepts(session, columns, "%1$s IS DISTINCT FROM %1$s"),
                accepts(session, columns, "pg_catalog.hash_record_extended(%1$s, 0)"), buffers));
    }

    /**
     * Whether PostgreSQL accepts {@code expression} (a format with the row as {@code %1$s}) over a row of
     * these column types: {@code IS DISTINCT FROM} needs an equality operator for every type, a row hash
     * an extended hash function (json, xml and the geometric types have neither). Tried on NULLs, in a
     * savepoint.
     */
    private static boolean accepts(Session session, List<QueryProbe.Column> columns, String expression)
            throws SQLException {
        if (columns.isEmpty()) {
            return true;
        }
        StringBuilder row = new StringBuilder("ROW(");
        for (int i = 0; i < columns.size(); i++) {
            row.append(i == 0 ? "" : ", ").append("NULL::").append(columns.get(i).type().replaceFirst(" COLLATE .*$", ""));
        }
        row.append(')');
        session.script("SAVEPOINT pgtrickle_compare");
        try {
            session.query("SELECT " + String.format(expression, row) + " AS d");
            session.script("RELEASE SAVEPOINT pgtrickle_compare");
            return true;
        } catch (SQLException e) {
            session.script("ROLLBACK TO SAVEPOINT pgtrickle_compare; RELEASE SAVEPOINT pgtrickle_compare");
            return false;
        }
    }

    /** The session's search path as a list of quoted schemas: what the stored SQL runs with. */
    static String searchPath(Session session) throws SQLException {
        List<String> schemas = new ArrayList<>();
        for (Row r : session.query("SELECT unnest(pg_catalog.current_schemas(false))::text AS schema")) {
            schemas.add(quote(r.get("schema")));
        }
        return schemas.isEmpty() ? "pg_catalog" : String.join(", ", schemas);
    }

    /** The comment that marks the index pgtrickle keeps on a storage table's row identity or row hash. */
    private static final String IDENTITY_INDEX = "pgtrickle row identity";

    /**
     * Brings the storage table in line with the plan (none for FULL): hidden columns that differ are
     * dropped and the plan's added at the end; the unique index on the row identity is made (and one for
     * another identity dropped). True when anything changed, so the stored rows must be recomputed.
     */
    static boolean reconcileStorage(Session session, String relation, long relid, MaintenancePlan plan)
            throws SQLException {
        List<String[]> present = new ArrayList<>();
        for (Row r : session.query("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type "
                + "FROM pg_catalog.pg_attribute a WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped "
                + "AND a.attname LIKE '\\_\\_pgt\\_%' ORDER BY a.attnum", relid)) {
            present.add(new String[] {r.get("attname"), r.get("type")});
        }
        List<String[]> wanted = new ArrayList<>();
        if (plan != null) {
            plan.hiddenColumns().forEach(c -> wanted.add(new String[] {c.name(), c.type()}));
        }
        StringBuilder ddl = new StringBuilder();
        if (!same(present, wanted)) {
            for (String[] c : present) {
                ddl.append("ALTER TABLE ").append(relation).append(" DROP COLUMN ").append(quote(c[0])).append(";\n");
            }
            for (int i = 0; i < wanted.size(); i++) {
                ddl.append(i == 0 ? "ALTER TABLE " + relation + " " : ", ").append("ADD COLUMN ")
                        .append(quote(wanted.get(i)[0])).append(' ').append(wanted.get(i)[1]);
            }
            ddl.append(wanted.isEmpty() ? "" : ";\n");
        }
        // the identity index: pgtrickle's own, found by its comment; columns compared by name
        String wantedKey = plan == null ? null
                : (plan.uniqueIndex() ? "unique " : "") + String.join(",", plan.indexColumns());
        boolean haveIndex = false;
        for (Row r : session.query("SELECT i.indexrelid::regclass::text AS index, "
                + "CASE WHEN i.indisunique THEN 'unique ' ELSE '' END || (SELECT string_agg(a.attname, ',' "
                + "ORDER BY k.ord) FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord) JOIN pg_catalog.pg_attribute a "
                + "ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS cols FROM pg_catalog.pg_index i "
                + "WHERE i.indrelid = ?::oid AND pg_catalog.obj_description(i.indexrelid, 'pg_class') = ?",
                relid, IDENTITY_INDEX)) {
            boolean keep = r.get("cols") != null && r.get("cols").equals(wantedKey) && ddl.isEmpty();
            haveIndex |= keep;
            if (!keep) {
                ddl.insert(0, "DROP INDEX " + r.get("index") + ";\n");
            }
        }
        if (plan != null && !haveIndex) {
            ddl.append(plan.uniqueIndex() ? "CREATE UNIQUE INDEX ON " : "CREATE INDEX ON ").append(relation).append(" (");
            for (int i = 0; i < plan.indexColumns().size(); i++) {
                ddl.append(i == 0 ? "" : ", ").append(quote(plan.indexColumns().get(i)));
            }
            ddl.append(");\n");
        }
        if (ddl.isEmpty()) {
            return false;
        }
        session.script(ddl.toString());
        if (plan != null && !haveIndex) {
            String index = session.queryOne("SELECT i.indexrelid::regclass::text AS index FROM pg_catalog.pg_index i "
                    + "WHERE i.indrelid = ?::oid AND pg_catalog.obj_description(i.indexrelid, 'pg_class') "
                    + "IS NULL ORDER BY i.indexrelid DESC LIMIT 1", relid).get("index");
            session.script("COMMENT ON INDEX " + index + " IS " + Identifiers.literal(IDENTITY_INDEX));
        }
        return true;
    }

    private static boolean same(List<String[]> a, List<String[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i)[0].equals(b.get(i)[0]) || !a.get(i)[1].equals(b.get(i)[1])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether PostgreSQL accepts the plan's SQL as it will run (prepared, not executed, in a savepoint):
     * empty when it does, else the server's message. Guards against a delta the planner got wrong for a
     * query PostgreSQL reads differently than Calcite.
     */
    static Optional<String> check(Session session, MaintenancePlan plan, String searchPath) throws SQLException {
        session.script("SAVEPOINT pgtrickle_check");
        try {
            return withSearchPath(session, searchPath, () -> {
                session.script("PREPARE pgtrickle_check_populate AS " + plan.populateQuery()
                        + ";\nDEALLOCATE pgtrickle_check_populate;\nPREPARE pgtrickle_check_delta AS " + plan.deltaStatement()
                        + ";\nDEALLOCATE pgtrickle_check_delta");
                session.script("RELEASE SAVEPOINT pgtrickle_check");
                return Optional.<String>empty();
            });
        } catch (SQLException e) {
            session.script("ROLLBACK TO SAVEPOINT pgtrickle_check; RELEASE SAVEPOINT pgtrickle_check");
            return Optional.of(Refresher.serverMessage(e));
        }
    }

    /** Work that runs with the session's search_path set (for this transaction) to {@code searchPath}. */
    interface Work<T> {
        T run() throws SQLException;
    }

    static <T> T withSearchPath(Session session, String searchPath, Work<T> work) throws SQLException {
        String before = session.queryOne("SELECT pg_catalog.current_setting('search_path') AS p").get("p");
        session.query("SELECT pg_catalog.set_config('search_path', ?, true)", searchPath);
        T result = work.run();
        session.query("SELECT pg_catalog.set_config('search_path', ?, true)", before);
        return result;
    }

    /** The stored maintenance of a stream table, as the catalog holds it (null for FULL). */
    static StreamTable.Maintenance stored(MaintenancePlan plan, String searchPath) {
        return plan == null ? null : new StreamTable.Maintenance(plan.populateQuery(), plan.deltaStatement(), searchPath);
    }
}
