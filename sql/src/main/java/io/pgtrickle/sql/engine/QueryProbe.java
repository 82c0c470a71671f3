package io.pgtrickle.sql.engine;

import io.pgtrickle.sql.catalog.Source;
import io.pgtrickle.sql.command.Identifiers;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import io.pgtrickle.sql.lex.Lexer;
import io.pgtrickle.sql.lex.Statements;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import io.pgtrickle.sql.session.Row;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Asks PostgreSQL itself what a defining query is: it becomes a temporary view for a moment, so
 * the server parses and validates it as the calling user would see it, and tells us its columns
 * (names, types, collations), the relations it reads (views expanded to their base relations,
 * with the columns used, from pg_depend) and a canonical, search_path-independent text
 * (pg_get_viewdef with only pg_catalog on the path, the way pg_dump does it).
 */
final class QueryProbe {

    /** One output column of the defining query, with its type as SQL text. */
    record Column(String name, String type) {
    }

    /**
     * What the server told us about a defining query: {@code sources} are the relations it reads with views
     * expanded, {@code views} the views it reads (directly or through other views), which the planner inlines.
     */
    record Analysis(String canonicalQuery, List<Column> columns, List<Source> sources, List<Source> views) {
    }

    private QueryProbe() {
    }

    static Analysis analyze(Session session, String query) throws SQLException {
        String body = singleSelect(query);
        String view = "pgt_probe_" + UUID.randomUUID().toString().replace("-", "");
        session.script("CREATE TEMP VIEW " + Identifiers.quote(view) + " AS\n" + body + "\n");
        try {
            long oid = session.queryOne("SELECT c.oid FROM pg_catalog.pg_class c "
                    + "WHERE c.relname = ? AND c.relnamespace = pg_catalog.pg_my_temp_schema()", view).getLong("oid");
            List<Source> sources = new ArrayList<>();
            List<Source> views = new ArrayList<>();
            for (Source s : sources(session, oid)) {
                (s.type() == Source.Type.VIEW ? views : sources).add(s);
            }
            return new Analysis(canonical(session, oid), columns(session, oid), sources, views);
        } finally {
            session.script("DROP VIEW IF EXISTS pg_temp." + Identifiers.quote(view));
        }
    }

    /** Statements that are certainly not queries; anything else PostgreSQL parses and judges itself. */
    private static final Set<String> NOT_QUERIES = Set.of("insert", "update", "delete", "merge", "create", "drop",
            "alter", "truncate", "copy", "call", "do", "grant", "revoke", "vacuum", "analyze", "explain", "set",
            "reset", "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release", "lock", "prepare",
            "execute", "deallocate", "listen", "unlisten", "notify", "refresh", "comment", "security", "reindex",
            "cluster", "discard", "import", "load", "checkpoint", "declare", "fetch", "move", "close", "show");

    /**
     * The query without trailing semicolons: 42601 for several statements, 42000 for a statement
     * that is not a query. Whether it parses is for PostgreSQL to say.
     */
    static String singleSelect(String query) {
        List<String> statements = Statements.split(query);
        List<Token> tokens = statements.size() == 1 ? Lexer.significantTokens(statements.get(0), false) : List.of();
        if (statements.isEmpty() || (statements.size() == 1 && tokens.isEmpty())) {
            throw new PgTrickleException(SqlState.INVALID_PARAMETER_VALUE, "defining query must not be empty");
        }
        if (statements.size() > 1) {
            throw new PgTrickleException(SqlState.SYNTAX_ERROR,
                    "defining query must be a single SELECT statement, found " + statements.size() + " statements");
        }
        Token first = tokens.get(0);
        if (first.kind() == TokenKind.IDENTIFIER && NOT_QUERIES.contains(first.folded())) {
            throw new PgTrickleException(SqlState.SYNTAX_ERROR_OR_ACCESS_RULE_VIOLATION,
                    "defining query must be a SELECT statement", "It is a " + first.text().toUpperCase(Locale.ROOT)
                            + " statement.", null);
        }
        return statements.get(0);
    }

    private static String canonical(Session session, long oid) throws SQLException {
        return definitions(session, List.of(oid)).get(oid);
    }

    /**
     * Views' defining queries as PostgreSQL prints them with only pg_catalog on the search path: every
     * relation schema-qualified, no trailing semicolon.
     */
    static Map<Long, String> definitions(Session session, List<Long> oids) throws SQLException {
        String path = session.queryOne("SELECT current_setting('search_path') AS p").get("p");
        session.query("SELECT set_config('search_path', 'pg_catalog', true)");
        try {
            Map<Long, String> out = new LinkedHashMap<>();
            for (Row r : session.query("SELECT v.oid::int8 AS oid, pg_catalog.pg_get_viewdef(v.oid, true) AS d "
                    + "FROM unnest(?::oid[]) AS v(oid)", oidArray(oids))) {
                String def = r.get("d").strip();
                out.put(r.getLong("oid"), def.endsWith(";") ? def.substring(0, def.length() - 1) : def);
            }
            return out;
        } finally {
            session.query("SELECT pg_catalog.set_config('search_path', ?, true)", path);
        }
    }

    /** {@code {1,2,3}}: oids as a PostgreSQL array literal. */
    static String oidArray(List<Long> oids) {
        StringBuilder out = new StringBuilder("{");
        for (Long oid : oids) {
            out.append(out.length() > 1 ? "," : "").append(oid);
        }
        return out.append('}').toString();
    }

    /** The user columns of a storage table (its hidden {@code __pgt_} columns left out). */
    static List<Column> storageColumns(Session session, long oid) throws SQLException {
        return columns(session, oid, true);
    }

    /** The columns of a relation as CREATE TABLE would spell them; 22023 for a reserved name. */
    static List<Column> columns(Session session, long oid) throws SQLException {
        return columns(session, oid, false);
    }

    private static List<Column> columns(Session session, long oid, boolean skipHidden) throws SQLException {
        List<Column> out = new ArrayList<>();
        for (Row r : session.query("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) "
                + "|| CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN ' COLLATE ' "
                + "|| (SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.collname) "
                + "FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace "
                + "WHERE c.oid = a.attcollation) ELSE '' END AS type "
                + "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
                + "WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", oid)) {
            String name = r.get("attname");
            if (name.startsWith("__pgt_") && skipHidden) {
                continue;
            }
            if (name.startsWith("__pgt_")) {
                throw new PgTrickleException(SqlState.INVALID_PARAMETER_VALUE,
                        "column name \"" + name + "\" is reserved", "Names starting with __pgt_ are pgtrickle's own.",
                        "Rename the column in the defining query.");
            }
            out.add(new Column(name, r.get("type")));
        }
        return out;
    }

    private static List<Source> sources(Session session, long oid) throws SQLException {
        // Every relation the view's rule depends on, following views down to what they read.
        List<Row> rows = session.query("WITH RECURSIVE refs(relid, attnum) AS ("
                + " SELECT d.refobjid, d.refobjsubid FROM pg_catalog.pg_rewrite r"
                + " JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid"
                + " WHERE r.ev_class = ?::oid AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> r.ev_class"
                + " UNION"
                + " SELECT d.refobjid, d.refobjsubid FROM refs"
                + " JOIN pg_catalog.pg_class v ON v.oid = refs.relid AND v.relkind = 'v'"
                + " JOIN pg_catalog.pg_rewrite r ON r.ev_class = v.oid"
                + " JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid"
                + " WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> v.oid)"
                + " SELECT c.oid AS relid, n.nspname, c.relname, c.relkind, c.relpersistence,"
                + " pg_catalog.has_any_column_privilege(c.oid, 'SELECT') AS can_select,"
                + " EXISTS (SELECT 1 FROM pgtrickle.pgt_stream_tables s WHERE s.pgt_relid = c.oid) AS is_st,"
                + " coalesce((SELECT pg_catalog.array_to_string(array_agg(a.attname::text ORDER BY a.attnum), chr(1))"
                + "   FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum IN"
                + "   (SELECT x.attnum FROM refs x WHERE x.relid = c.oid AND x.attnum > 0)), '') AS cols"
                + " FROM (SELECT DISTINCT relid FROM refs) u JOIN pg_catalog.pg_class c ON c.oid = u.relid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'p', 'm', 'f', 'v')"
                + " ORDER BY n.nspname, c.relname", oid);
        Map<Long, Source> out = new LinkedHashMap<>();
        for (Row r : rows) {
            String kind = r.get("relkind");
            if (kind.equals("v")) { // expanded: its own sources are in the list too
                out.put(r.getLong("relid"), new Source(r.getLong("relid"), r.get("nspname"), r.get("relname"),
                        Source.Type.VIEW, List.of()));
                continue;
            }
            String display = Identifiers.quoteIfNeeded(r.get("nspname")) + "." + Identifiers.quoteIfNeeded(r.get("relname"));
            if ("t".equals(r.get("relpersistence"))) {
                throw new PgTrickleException(SqlState.FEATURE_NOT_SUPPORTED,
                        "temporary table " + display + " cannot be a source of a stream table",
                        "A stream table outlives the session that created a temporary table.", null);
            }
            if (!r.getBoolean("can_select")) {
                throw new PgTrickleException(SqlState.INSUFFICIENT_PRIVILEGE, "permission denied for table " + display);
            }
            Source.Type type = switch (kind) {
                case "m" -> Source.Type.MATVIEW;
                case "f" -> Source.Type.FOREIGN_TABLE;
                default -> r.getBoolean("is_st") ? Source.Type.STREAM_TABLE : Source.Type.TABLE;
            };
            String cols = r.get("cols");
            List<String> columns = cols.isEmpty() ? List.of() : List.of(cols.split("\u0001"));
            out.put(r.getLong("relid"), new Source(r.getLong("relid"), r.get("nspname"), r.get("relname"), type, columns));
        }
        return new ArrayList<>(out.values());
    }
}
