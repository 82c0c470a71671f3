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
import java.util.Set;

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
        Map<String, Set<String>> referenced = new HashMap<>();
        for (Source s : sources) {
            List<Row> stored = session.query("SELECT buffer_table FROM pgtrickle.pgt_change_buffers "
                    + "WHERE source_relid = ?::oid", s.relid());
            String buffer = stored.isEmpty() ? Capture.bufferTable(s.relid()) : stored.get(0).get("buffer_table");
            if (s.capturable()) {
                buffers.put(PgRelation.qualifiedName(s.schema(), s.name()), buffer);
            }
            // a stream table's buffer is read whole: its rows are result rows, and its hidden columns the
            // plan may use are in no dependency record
            if (s.type() == Source.Type.TABLE) {
                referenced.put(PgRelation.qualifiedName(s.schema(), s.name()), Set.copyOf(s.columns()));
            }
        }
        return DeltaSql.plan(tree, new Target(schema, name, columns.stream().map(QueryProbe.Column::name).toList(),
                accepts(session, columns, "%1$s IS DISTINCT FROM %1$s"),
                accepts(session, columns, "pg_catalog.hash_record_extended(%1$s, 0)"), buffers, referenced));
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

    /**
     * A SQL expression of two parameters (the same oid array literal, or null) giving the fingerprint of
     * those views' definitions: md5 of their rewrite rules' node trees, which do not depend on the search
     * path; NULL for no views. A view replaced, dropped (its row gone) or retyped changes it.
     */
    static final String VIEWS_FINGERPRINT = "(SELECT CASE WHEN ?::oid[] IS NULL THEN NULL ELSE coalesce((SELECT "
            + "pg_catalog.md5(string_agg(r.ev_class::text || ':' || r.ev_action::text, ';' ORDER BY r.ev_class)) "
            + "FROM pg_catalog.pg_rewrite r WHERE r.ev_class = ANY (?::oid[]) AND r.rulename = '_RETURN'), '') END)";

    /** Whether a view the stream table's maintenance SQL inlined has changed since it was planned. */
    static boolean viewsChanged(Session session, StreamTable.Maintenance m) throws SQLException {
        if (m == null || m.views() == null) {
            return false;
        }
        String now = session.queryOne("SELECT " + VIEWS_FINGERPRINT + " AS f", m.views(), m.views()).get("f");
        return !now.equals(m.viewsFingerprint());
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
    static final String IDENTITY_INDEX = "pgtrickle row identity";

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
        List<String[]> wantedHidden = new ArrayList<>();
        if (plan != null) {
            plan.hiddenColumns().forEach(c -> wantedHidden.add(new String[] {c.name(), c.type()}));
        }
        StringBuilder ddl = new StringBuilder();
        boolean hiddenSame = same(present, wantedHidden);
        if (!hiddenSame) {
            for (String[] c : present) {
                ddl.append("ALTER TABLE ").append(relation).append(" DROP COLUMN ").append(quote(c[0])).append(";\n");
            }
            for (int i = 0; i < wantedHidden.size(); i++) {
                ddl.append(i == 0 ? "ALTER TABLE " + relation + " " : ", ").append("ADD COLUMN ")
                        .append(quote(wantedHidden.get(i)[0])).append(' ').append(wantedHidden.get(i)[1]);
            }
            ddl.append(wantedHidden.isEmpty() ? "" : ";\n");
        }
        // the indexes: pgtrickle's own, found by their comment, compared by kind and column names
        List<String> wanted = new ArrayList<>();
        if (plan != null) {
            for (MaintenancePlan.Index index : plan.indexes()) {
                wanted.add(signature(index));
            }
        }
        List<String> kept = new ArrayList<>();
        for (Row r : session.query("SELECT i.indexrelid::regclass::text AS index, "
                + "CASE WHEN i.indisunique THEN 'unique ' ELSE '' END "
                + "|| CASE WHEN i.indnullsnotdistinct THEN 'nulls-not-distinct ' ELSE '' END || (SELECT string_agg(a.attname, ',' "
                + "ORDER BY k.ord) FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord) JOIN pg_catalog.pg_attribute a "
                + "ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS cols FROM pg_catalog.pg_index i "
                + "WHERE i.indrelid = ?::oid AND pg_catalog.obj_description(i.indexrelid, 'pg_class') = ?",
                relid, IDENTITY_INDEX)) {
            boolean keep = hiddenSame && wanted.contains(r.get("cols")) && !kept.contains(r.get("cols"));
            if (keep) {
                kept.add(r.get("cols"));
            } else {
                ddl.insert(0, "DROP INDEX " + r.get("index") + ";\n");
            }
        }
        if (plan != null) {
            for (MaintenancePlan.Index index : plan.indexes()) {
                if (!kept.contains(signature(index))) {
                    ddl.append(index.unique() ? "CREATE UNIQUE INDEX ON " : "CREATE INDEX ON ").append(relation).append(" (");
                    for (int i = 0; i < index.columns().size(); i++) {
                        ddl.append(i == 0 ? "" : ", ").append(quote(index.columns().get(i)));
                    }
                    ddl.append(index.nullsNotDistinct() ? ") NULLS NOT DISTINCT;\n" : ");\n");
                }
            }
        }
        if (ddl.isEmpty()) {
            return false;
        }
        String before = indexes(session, relid);
        session.script(ddl.toString());
        // the indexes just made are pgtrickle's (a user's own indexes on the table are left alone)
        for (Row r : session.query("SELECT i.indexrelid::regclass::text AS index FROM pg_catalog.pg_index i "
                + "WHERE i.indrelid = ?::oid AND NOT i.indexrelid = ANY (?::oid[])", relid, before)) {
            session.script("COMMENT ON INDEX " + r.get("index") + " IS " + Identifiers.literal(IDENTITY_INDEX));
        }
        return true;
    }

    /** How {@link #reconcileStorage} compares a wanted index with one the table has. */
    private static String signature(MaintenancePlan.Index index) {
        return (index.unique() ? "unique " : "") + (index.nullsNotDistinct() ? "nulls-not-distinct " : "")
                + String.join(",", index.columns());
    }

    /** The oids of the table's indexes, as an array literal. */
    private static String indexes(Session session, long relid) throws SQLException {
        return session.queryOne("SELECT coalesce(array_agg(indexrelid), '{}')::text AS oids FROM pg_catalog.pg_index "
                + "WHERE indrelid = ?::oid", relid).get("oids");
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
        return withSettings(session, java.util.Map.of("search_path", searchPath), work);
    }

    /** Work that runs with these settings (for this transaction), each set back to its value before after. */
    static <T> T withSettings(Session session, java.util.Map<String, String> settings, Work<T> work)
            throws SQLException {
        if (settings.isEmpty()) {
            return work.run();
        }
        LocalSettings local = LocalSettings.of(settings);
        Row before = session.queryOne(local.set());
        T result = work.run();
        session.script(local.restore(before));
        return result;
    }

    /**
     * The settings besides search_path that change what expressions compute (ts::date, to_char, numeric
     * and float output): kept when a stream table is planned and set for each of its refreshes, so rows
     * recomputed later agree with the rows kept. Not DateStyle: pgjdbc closes a connection whose DateStyle
     * stops beginning with ISO, so it cannot be set under a JDBC session (psql users with another
     * DateStyle get date/time text casts in the refreshing session's style).
     */
    static final List<String> PINNED = List.of("TimeZone", "IntervalStyle", "extra_float_digits",
            "lc_monetary", "lc_numeric", "lc_time", "bytea_output");

    /** The session's values of {@link #PINNED}, as a text[] literal of name, value pairs. */
    static String settings(Session session) throws SQLException {
        List<String> pairs = new ArrayList<>();
        for (String name : PINNED) {
            pairs.add(name);
            pairs.add(session.queryOne("SELECT pg_catalog.current_setting(?) AS v", name).get("v"));
        }
        return Identifiers.textArray(pairs);
    }

    /** The name/value pairs of a stored settings array (empty for null). */
    static java.util.Map<String, String> settingsMap(String stored) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (stored == null) {
            return out;
        }
        List<String> values = Identifiers.parseTextArray(stored);
        for (int i = 0; i + 1 < values.size(); i += 2) {
            out.put(values.get(i), values.get(i + 1));
        }
        return out;
    }
}
