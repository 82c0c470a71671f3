package io.pgtrickle.sql.engine;

import static io.pgtrickle.sql.command.Identifiers.quote;

import io.pgtrickle.sql.catalog.Source;
import io.pgtrickle.sql.command.Identifiers;
import io.pgtrickle.sql.session.Row;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Change capture on a source table (DESIGN §3): one buffer table per source in pgtrickle_changes,
 * shared by every stream table that reads it, filled by statement-level AFTER triggers with
 * transition tables (one INSERT ... SELECT per statement), plus a TRUNCATE marker. Each buffer row
 * carries the writing transaction's xid8 and a sequence number; an UPDATE is a delete of the old
 * row plus an insert of the new one. The trigger function is SECURITY DEFINER (owned by whoever
 * installed capture) so that any writer of the source can append to the buffer without being
 * granted anything on pgtrickle_changes. Buffers are UNLOGGED, and each has an epoch in
 * pgtrickle.pgt_buffer_epochs (also unlogged) that a crash resets with it: a reader whose remembered
 * epoch is gone recomputes (decision w of docs/architecture.md).
 */
final class Capture {
    static final String TRIGGER_PREFIX = "pgt_capture_";
    /** High half of the advisory lock key that serialises capture changes on one source ("pgtc"). */
    static final long LOCK_SPACE = 0x70677463L << 32;

    private Capture() {
    }

    static String bufferTable(long relid) {
        return "changes_" + relid;
    }

    /**
     * Makes sure the source is captured with at least {@code columns} (names, in any order): installs
     * capture with just those, or widens an existing buffer by the ones it lacks (decision z of
     * docs/architecture.md). A widening first waits for the source's writers ({@code SHARE ROW EXCLUSIVE},
     * which also holds new ones back until commit, so every later write goes through the widened function),
     * then takes the buffer, then the capture lock, in the order writers and refreshes take them. True when
     * capture was installed or widened: a REPEATABLE READ caller's snapshot may then predate writes whose
     * changes the buffer lacks ({@link #requireRecomputeIfStale}).
     */
    static boolean ensure(Session session, Source source, Collection<String> columns) throws SQLException {
        if (!source.capturable()) {
            return false;
        }
        Optional<Row> existing = stored(session, source.relid());
        if (existing.isPresent() && !missing(existing.get(), columns).isEmpty()) {
            session.script("LOCK TABLE " + source.quotedName() + " IN SHARE ROW EXCLUSIVE MODE;\nLOCK TABLE "
                    + "pgtrickle_changes." + quote(existing.get().get("buffer_table")) + " IN ACCESS EXCLUSIVE MODE");
        }
        // two stream tables created at once over one source must not both install or widen its capture
        session.query("SELECT pg_catalog.pg_advisory_xact_lock(?)", LOCK_SPACE | source.relid());
        existing = stored(session, source.relid());
        if (existing.isEmpty()) {
            install(session, source, columns);
            return true;
        }
        List<String> missing = missing(existing.get(), columns);
        if (missing.isEmpty()) {
            return false;
        }
        widen(session, source, existing.get().get("buffer_table"), missing);
        return true;
    }

    /**
     * Why the current role cannot give the source's buffer these columns, if it cannot: widening alters
     * the buffer and replaces the capture function, which only their owner (the role that installed
     * capture) may do.
     */
    static Optional<String> cannotWiden(Session session, Source source, Collection<String> columns) throws SQLException {
        Optional<Row> existing = stored(session, source.relid());
        List<String> missing = existing.isEmpty() ? List.of() : missing(existing.get(), columns);
        if (!source.capturable() || missing.isEmpty()) {
            return Optional.empty();
        }
        Row owner = session.queryOne("SELECT pg_catalog.pg_get_userbyid(c.relowner) AS owner, "
                + "pg_catalog.pg_has_role(c.relowner, 'USAGE') AS member FROM pg_catalog.pg_class c "
                + "WHERE c.oid = to_regclass('pgtrickle_changes.' || pg_catalog.quote_ident(?))", existing.get().get("buffer_table"));
        if (owner.get("member") == null || owner.getBoolean("member")) {
            return Optional.empty();
        }
        return Optional.of("it reads column" + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing) + " of "
                + Identifiers.quoteIfNeeded(source.schema()) + "." + Identifiers.quoteIfNeeded(source.name())
                + ", which its change buffer does not capture, and only role " + owner.get("owner")
                + " (which installed the capture) can widen it");
    }

    /**
     * After a call that installed or widened capture ({@link #ensure}) and then refreshed the stream table:
     * outside READ COMMITTED its snapshot may predate writes that committed before capture changed, whose
     * changes the buffer lacks (installed) or holds without the new columns (widened), so the next refresh
     * recomputes.
     */
    static void requireRecomputeIfStale(Session session, long pgtId) throws SQLException {
        session.update("UPDATE pgtrickle.pgt_stream_tables SET needs_reinit = true WHERE pgt_id = ? "
                + "AND pg_catalog.current_setting('transaction_isolation') <> 'read committed'", pgtId);
    }

    private static Optional<Row> stored(Session session, long relid) throws SQLException {
        return session.query("SELECT buffer_table, columns FROM pgtrickle.pgt_change_buffers WHERE source_relid = ?::oid",
                relid).stream().findFirst();
    }

    private static List<String> missing(Row stored, Collection<String> columns) {
        List<String> have = Identifiers.parseTextArray(stored.get("columns"));
        return columns.stream().filter(c -> !have.contains(c)).distinct().sorted().toList();
    }

    /** The source's columns of these names, in the source's order: name, type without modifier, type oid. */
    private static List<String[]> sourceColumns(Session session, Source source, Collection<String> names)
            throws SQLException {
        return attributes(session, "a.attrelid = ?::oid AND a.attname = ANY (?::name[])", source.relid(),
                Identifiers.textArray(List.copyOf(names)));
    }

    /** The columns a buffer captures now, as its own columns say: name, type, type oid. */
    private static List<String[]> bufferColumns(Session session, String bufferName) throws SQLException {
        return attributes(session, "a.attrelid = to_regclass('pgtrickle_changes.' || pg_catalog.quote_ident(?)) "
                + "AND a.attname NOT LIKE '\\_\\_pgt\\_%'", bufferName);
    }

    /**
     * Columns of a relation, in its order, as a buffer declares them: name, the type without its modifier
     * (so that widening a source column still fits), type oid.
     */
    private static List<String[]> attributes(Session session, String condition, Object... params) throws SQLException {
        List<String[]> out = new ArrayList<>();
        for (Row r : session.query("SELECT a.attname, pg_catalog.format_type(a.atttypid, -1) AS type, "
                + "a.atttypid::int8 AS typid FROM pg_catalog.pg_attribute a WHERE a.attnum > 0 AND NOT a.attisdropped AND "
                + condition + " ORDER BY a.attnum", params)) {
            out.add(new String[] {r.get("attname"), r.get("type"), r.get("typid")});
        }
        return out;
    }

    private static void install(Session session, Source source, Collection<String> names) throws SQLException {
        List<String[]> columns = sourceColumns(session, source, names);
        String bufferName = bufferTable(source.relid());
        String buffer = "pgtrickle_changes." + quote(bufferName);
        StringBuilder colDefs = new StringBuilder();
        for (String[] c : columns) {
            colDefs.append(",\n    ").append(quote(c[0])).append(' ').append(c[1]);
        }
        StringBuilder ddl = new StringBuilder();
        // unlogged: no WAL for the copies; a crash empties it, which its epoch tells readers (decision w)
        ddl.append("CREATE UNLOGGED TABLE ").append(buffer).append(" (\n")
                .append("    __pgt_seq bigint GENERATED ALWAYS AS IDENTITY (CACHE 1000),\n")
                .append("    __pgt_xid xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),\n")
                .append("    __pgt_op \"char\" NOT NULL").append(colDefs).append(");\n");
        ddl.append("COMMENT ON TABLE ").append(buffer).append(" IS ")
                .append(Identifiers.literal("pgtrickle change buffer of " + source.quotedName())).append(";\n");
        ddl.append(function(bufferName, columns, "CREATE"));
        String table = source.quotedName();
        String function = "pgtrickle_changes." + quote(functionFor(bufferName));
        ddl.append(trigger("ins", "INSERT", "REFERENCING NEW TABLE AS __pgt_new ", table, function));
        ddl.append(trigger("upd", "UPDATE", "REFERENCING OLD TABLE AS __pgt_old NEW TABLE AS __pgt_new ", table, function));
        ddl.append(trigger("del", "DELETE", "REFERENCING OLD TABLE AS __pgt_old ", table, function));
        ddl.append(trigger("trunc", "TRUNCATE", "", table, function));
        ddl.append("INSERT INTO pgtrickle.pgt_buffer_epochs (source_relid, epoch) VALUES (").append(source.relid())
                .append(", pg_catalog.pg_current_xact_id()) ON CONFLICT (source_relid) DO UPDATE SET epoch = EXCLUDED.epoch;\n");
        session.script(ddl.toString());
        session.update("INSERT INTO pgtrickle.pgt_change_buffers (source_relid, source_schema, source_name, buffer_table, "
                + "columns) VALUES (?::oid::regclass, ?, ?, ?, ?::text[])", source.relid(), source.schema(),
                source.name(), bufferName, Identifiers.textArray(columns.stream().map(c -> c[0]).toList()));
    }

    /**
     * Adds columns to a buffer and replaces its capture function with one that copies them too; rows
     * already buffered have NULL there, which no reader planned before reads, and which a new reader's
     * frontier covers (the caller waited for the source's writers).
     */
    private static void widen(Session session, Source source, String bufferName, List<String> names) throws SQLException {
        List<String[]> added = sourceColumns(session, source, names);
        String buffer = "pgtrickle_changes." + quote(bufferName);
        StringBuilder ddl = new StringBuilder("ALTER TABLE ").append(buffer);
        for (int i = 0; i < added.size(); i++) {
            ddl.append(i == 0 ? " " : ", ").append("ADD COLUMN ").append(quote(added.get(i)[0])).append(' ')
                    .append(added.get(i)[1]);
        }
        ddl.append(";\n");
        List<String[]> columns = new ArrayList<>(bufferColumns(session, bufferName));
        columns.addAll(added);
        ddl.append(function(bufferName, columns, "CREATE OR REPLACE"));
        session.script(ddl.toString());
        session.update("UPDATE pgtrickle.pgt_change_buffers SET columns = ?::text[] WHERE source_relid = ?::oid",
                Identifiers.textArray(columns.stream().map(c -> c[0]).toList()), source.relid());
    }

    /**
     * The capture function of a buffer that copies these columns (name, type, type oid). The fast path
     * names them in static SQL (a cached plan). If the source's columns changed since (renamed, dropped,
     * retyped), it copies the columns that are still as captured with dynamic SQL instead, so DDL on a
     * source never breaks the application's writes.
     */
    private static String function(String bufferName, List<String[]> columns, String create) {
        String buffer = "pgtrickle_changes." + quote(bufferName);
        String function = "pgtrickle_changes." + quote(functionFor(bufferName));
        StringBuilder colList = new StringBuilder();
        for (String[] c : columns) {
            colList.append(", ").append(quote(c[0]));
        }
        // the source columns still as captured: same name and same type. Spelled out as one condition per
        // column, which the index on (attrelid, attname) answers: this runs for every statement on the
        // source, and a semi join with unnest() of two arrays cost 6 µs more per statement (20,000 one-row
        // UPDATEs: 10.6 µs each uncaptured, 33 µs captured with the semi join, 27 µs with this)
        StringBuilder anyColumn = new StringBuilder("(");
        for (int i = 0; i < columns.size(); i++) {
            anyColumn.append(i == 0 ? "" : " OR ").append("attname = ").append(Identifiers.literal(columns.get(i)[0]))
                    .append(" AND atttypid = ").append(Long.parseLong(columns.get(i)[2]));
        }
        String unchanged = columns.isEmpty() ? "false" : anyColumn.append(")").toString();
        String insert = "INSERT INTO " + buffer + " (__pgt_op" + colList + ") SELECT ";
        String select = colList.toString();
        return new StringBuilder().append(create).append(" FUNCTION ").append(function)
                .append("() RETURNS trigger LANGUAGE plpgsql\n")
                .append("SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $pgt$\n")
                .append("DECLARE\n    cols text;\nBEGIN\n")
                // wakes the scheduler at commit (decision x); a transaction sends it once, however many statements
                .append("    PERFORM pg_catalog.pg_notify('").append(Channels.CHANGES).append("', '").append(bufferName).append("');\n")
                .append("    IF TG_OP = 'TRUNCATE' THEN\n")
                .append("        INSERT INTO ").append(buffer).append(" (__pgt_op) VALUES ('T');\n")
                .append("        RETURN NULL;\n    END IF;\n")
                .append("    IF (SELECT count(*) FROM pg_catalog.pg_attribute WHERE attrelid = TG_RELID AND attnum > 0\n")
                .append("            AND NOT attisdropped AND ").append(unchanged).append(") <> ")
                .append(columns.size()).append(" THEN\n")
                .append("        SELECT coalesce(string_agg(', ' || quote_ident(attname), '' ORDER BY attnum), '') INTO cols\n")
                .append("        FROM pg_catalog.pg_attribute WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped\n")
                .append("            AND ").append(unchanged).append(";\n")
                .append("        IF TG_OP IN ('UPDATE', 'DELETE') THEN\n")
                .append("            EXECUTE format('INSERT INTO ").append(buffer.replace("'", "''"))
                .append(" (__pgt_op%s) SELECT ''D''%s FROM __pgt_old', cols, cols);\n")
                .append("        END IF;\n")
                .append("        IF TG_OP IN ('UPDATE', 'INSERT') THEN\n")
                .append("            EXECUTE format('INSERT INTO ").append(buffer.replace("'", "''"))
                .append(" (__pgt_op%s) SELECT ''I''%s FROM __pgt_new', cols, cols);\n")
                .append("        END IF;\n")
                .append("        RETURN NULL;\n    END IF;\n")
                .append("    IF TG_OP IN ('UPDATE', 'DELETE') THEN\n")
                .append("        ").append(insert).append("'D'").append(select).append(" FROM __pgt_old;\n")
                .append("    END IF;\n")
                .append("    IF TG_OP IN ('UPDATE', 'INSERT') THEN\n")
                .append("        ").append(insert).append("'I'").append(select).append(" FROM __pgt_new;\n")
                .append("    END IF;\n")
                .append("    RETURN NULL;\nEND\n$pgt$;\n").toString();
    }

    /** The capture function belonging to a buffer table: changes_N → capture_N. */
    private static String functionFor(String bufferTable) {
        return "capture_" + bufferTable.substring("changes_".length());
    }

    private static String trigger(String suffix, String event, String referencing, String table, String function) {
        return "CREATE TRIGGER " + quote(TRIGGER_PREFIX + suffix) + " AFTER " + event + " ON " + table + " "
                + referencing + "FOR EACH STATEMENT EXECUTE FUNCTION " + function + "();\n";
    }

    /** Removes capture from a source no stream table reads any more (also when the source is gone). */
    static void removeIfUnused(Session session, long relid) throws SQLException {
        session.query("SELECT pg_catalog.pg_advisory_xact_lock(?)", LOCK_SPACE | relid);
        List<Row> rows = session.query("SELECT b.buffer_table, "
                + "EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d WHERE d.source_relid = b.source_relid) AS used, "
                + "(SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) "
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                + " WHERE c.oid = b.source_relid::oid) AS source "
                + "FROM pgtrickle.pgt_change_buffers b WHERE b.source_relid = ?::oid", relid);
        if (rows.isEmpty() || rows.get(0).getBoolean("used")) {
            return;
        }
        String source = rows.get(0).get("source");
        StringBuilder ddl = new StringBuilder();
        if (source != null) {
            for (String suffix : List.of("ins", "upd", "del", "trunc")) {
                ddl.append("DROP TRIGGER IF EXISTS ").append(quote(TRIGGER_PREFIX + suffix)).append(" ON ")
                        .append(source).append(";\n");
            }
        }
        ddl.append("DROP FUNCTION IF EXISTS pgtrickle_changes.").append(quote(functionFor(rows.get(0).get("buffer_table"))))
                .append("();\n");
        ddl.append("DROP TABLE IF EXISTS pgtrickle_changes.").append(quote(rows.get(0).get("buffer_table"))).append(";\n");
        ddl.append("DELETE FROM pgtrickle.pgt_buffer_epochs WHERE source_relid = ").append(relid).append(";\n");
        session.script(ddl.toString());
        session.update("DELETE FROM pgtrickle.pgt_change_buffers WHERE source_relid = ?::oid", relid);
    }
}
