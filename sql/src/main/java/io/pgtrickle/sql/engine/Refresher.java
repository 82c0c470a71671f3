package io.pgtrickle.sql.engine;

import static io.pgtrickle.sql.command.Identifiers.quote;

import io.pgtrickle.sql.catalog.StreamTable;
import io.pgtrickle.sql.command.Identifiers;
import io.pgtrickle.sql.command.RefreshMode;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import io.pgtrickle.sql.session.Row;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one refresh of a stream table and records it in pgtrickle.pgt_refresh_history. FULL
 * recomputes the defining query and replaces the rows in a single statement, so the rows it
 * writes and the snapshot it records as the new frontier are the same snapshot, whatever the
 * isolation level of the surrounding transaction (DESIGN §3). When no source changed since the
 * frontier, the refresh is NO_DATA and touches nothing. Readers are never blocked: the old rows
 * are deleted, not truncated.
 */
final class Refresher {

    /** Who asked for a refresh (pgt_refresh_history.initiated_by). */
    enum Initiator { SCHEDULER, MANUAL, INITIAL }

    /**
     * The result of one refresh; {@code reason} says why, when the action was a choice; {@code stateSql} the
     * statement (ending in a semicolon) that records the stream table's new state, run with the history row.
     */
    record Result(String action, long inserted, long deleted, String reason, String stateSql) {
        Result(String action, long inserted, long deleted) {
            this(action, inserted, deleted, null, "");
        }

        Result because(String why) {
            return new Result(action, inserted, deleted, why, stateSql);
        }
    }

    /**
     * From this many change rows in the window on, the delta statement runs without nested loops.
     * PostgreSQL cannot estimate its CTEs and takes them for a few rows each, so it joins them with
     * nested loops: quadratic in the window (measured: 2 s to delete 2,400 rows after 10% changes to
     * 100,000). Below this, that costs at most milliseconds and index nested loops into the sources are
     * the best plan; above it, hash joins keep every step linear (docs/architecture.md, decision o).
     */
    static final long LARGE_WINDOW = 1_000;
    /**
     * JIT off for the delta statement: its cost estimate counts branches that do not run (the recompute
     * after a TRUNCATE), which would make PostgreSQL compile it, and compiling costs more than running a
     * delta (measured: 343 ms of JIT for a 60 ms statement).
     */
    private static final Map<String, String> SMALL = Map.of("jit", "off");
    private static final Map<String, String> LARGE = Map.of("jit", "off", "enable_nestloop", "off");

    /** The setting that bounds, under AUTO, the share of changed rows a DIFFERENTIAL refresh takes on. */
    static final String MAX_CHANGE_RATIO = "pgtrickle.differential_max_change_ratio";
    static final double DEFAULT_MAX_CHANGE_RATIO = 0.5;

    private Refresher() {
    }

    /**
     * Refreshes {@code st}, whose catalog row the caller has read {@code FOR UPDATE}
     * ({@code StreamTableStore}): that row lock is the refresh lock. A refresh that waited for another
     * one of the same table reads the row as the other committed it in READ COMMITTED (so its frontier
     * is current), and fails with 40001 in REPEATABLE READ, whose snapshot predates the other's commit.
     */
    static Result refresh(Session session, StreamTable st, Initiator initiator) throws SQLException {
        return refresh(session, st, initiator, null);
    }

    /**
     * As {@link #refresh(Session, StreamTable, Initiator)}; with a {@code reinitialized} reason, the stream
     * table was just planned again for it, and is recomputed with action REINITIALIZE and that reason.
     */
    static Result refresh(Session session, StreamTable st, Initiator initiator, String reinitialized) throws SQLException {
        boolean incremental = reinitialized == null && initiator != Initiator.INITIAL && st.populated() && !st.needsReinit();
        boolean differential = incremental && st.effectiveMode() == RefreshMode.DIFFERENTIAL && st.maintenance() != null;
        // one count of the window, read with its sources, decides NO_DATA, and serves AUTO's choice and the plan's
        String deltaName = differential ? preparedDelta(st) : null;
        List<Row> sources = windowSources(session, st, incremental ? st.frontier() : null, differential ? LARGE_WINDOW : 1,
                deltaName);
        requireSources(st, sources);
        String emptied = incremental ? emptiedBuffer(sources) : null;
        if (emptied != null) { // changes may be gone with the buffer: only a recompute is right
            incremental = false;
            differential = false;
        }
        long changes = !incremental ? -1 : pendingChanges(st, sources, differential ? LARGE_WINDOW : 1);
        if (changes == 0) {
            // nothing to apply, nothing consumed: one statement records it (buffer clean-up waits for a
            // refresh that advances a frontier, the only thing that makes more changes deletable)
            session.update("WITH s AS (UPDATE pgtrickle.pgt_stream_tables SET last_refresh_at = now(), data_timestamp = now(), "
                    + "status = CASE WHEN status IN ('INITIALIZING', 'ERROR') THEN 'ACTIVE' ELSE status END, "
                    + "consecutive_errors = 0, last_error_message = NULL WHERE pgt_id = ? RETURNING pgt_id) "
                    + "INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, action, status, initiated_by, end_time) "
                    + "SELECT pgt_id, 'NO_DATA', 'COMPLETED', ?, clock_timestamp() FROM s", st.id(), initiator.name());
            return new Result("NO_DATA", 0, 0);
        }
        String started = sources.isEmpty() ? null : sources.get(0).get("started");
        Result result;
        if (differential) {
            ChangeBound bound = st.refreshMode() == RefreshMode.AUTO ? changeBound(sources) : null;
            if (bound != null && changes >= LARGE_WINDOW && bound.rows() >= LARGE_WINDOW) {
                changes = countWindow(session, st, sources, bound.rows() + 1); // the first count stopped short
            }
            // over the bound, most rows changed: replacing them all is cheaper than merging them by identity
            result = bound != null && changes > bound.rows() ? full(session, st, false).because(bound.reason())
                    : differential(session, st, changes >= LARGE_WINDOW, deltaName, sources);
        } else if (reinitialized != null) {
            Result full = full(session, st);
            result = new Result("REINITIALIZE", full.inserted(), full.deleted(), reinitialized, full.stateSql());
        } else if (emptied != null) {
            result = full(session, st).because("the change buffer of " + emptied + " was emptied (a crash or restore of "
                    + "the database empties unlogged tables): recomputed");
        } else {
            result = full(session, st);
        }
        // the refresh's record, its new state and the buffers' clean-up: one round trip
        StringBuilder after = new StringBuilder(result.stateSql());
        after.append("INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, start_time, end_time, action, status, rows_inserted, "
                + "rows_deleted, initiated_by, reason) VALUES (").append(st.id()).append(", ")
                .append(started == null ? "clock_timestamp()" : Identifiers.literal(started) + "::timestamptz")
                .append(", clock_timestamp(), ").append(Identifiers.literal(result.action())).append(", 'COMPLETED', ")
                .append(result.inserted()).append(", ").append(result.deleted()).append(", ")
                .append(Identifiers.literal(initiator.name())).append(", ")
                .append(result.reason() == null ? "NULL" : Identifiers.literal(result.reason())).append(");\n");
        consumeBuffers(st, sources, after);
        session.script(after.toString());
        return result;
    }

    /**
     * The change rows pending for {@code st}, counted up to {@code limit}; -1 when that cannot tell (no
     * frontier yet, or a source without capture: the refresh must recompute); 0 for a query over no relation.
     */
    private static long pendingChanges(StreamTable st, List<Row> sources, long limit) {
        if (st.frontier() == null || sources.stream().anyMatch(r -> r.get("buffer_table") == null)) {
            return -1;
        }
        long total = 0;
        for (Row r : sources) {
            total += r.getLong("pending");
        }
        return Math.min(total, limit);
    }

    /**
     * Recomputes the stream table. A DIFFERENTIAL one is filled by its populate query, which adds the
     * hidden row-identity columns (after the user's, as in the storage table).
     */
    private static Result full(Session session, StreamTable st) throws SQLException {
        return full(session, st, true);
    }

    /**
     * As above; {@code byIdentity} lets a populated table with a row identity be merged ({@link Recompute}):
     * right when few rows changed (a recompute after a crash, drift or a widened buffer), and as slow as
     * replacing every row when most did (measured: 10% changed, 2.5 s against 4.2 s; 50%, 3.1–3.6 s against
     * 3.2 s, 500,000 rows on PostgreSQL 15).
     */
    private static Result full(Session session, StreamTable st, boolean byIdentity) throws SQLException {
        StreamTable.Maintenance m = st.maintenance();
        String query = m != null ? m.populateQuery() : st.definingQuery();
        String sql = "WITH del AS (DELETE FROM " + st.quotedName() + " RETURNING 1), "
                + "ins AS (INSERT INTO " + st.quotedName() + " SELECT * FROM (\n" + query + "\n) q "
                + "RETURNING 1) SELECT (SELECT count(*) FROM del) AS deleted, (SELECT count(*) FROM ins) AS inserted, "
                + "pg_catalog.pg_current_snapshot()::text AS snapshot";
        Maintained r = null;
        String released = "";
        Optional<String> merge = byIdentity && m != null && st.populated() ? Recompute.merge(session, st, query)
                : Optional.empty();
        if (merge.isPresent()) {
            // a column type without equality cannot be compared (42883, which maintain reports as a source
            // that no longer fits): then every row is replaced after all, which says so if that is the cause
            try {
                r = maintain(session, st, "pgtrickle_merge", List.of(merge.get()), Map.of("jit", "off"));
                released = "RELEASE SAVEPOINT pgtrickle_merge;\n";
            } catch (PgTrickleException e) {
                if (e.sqlState() != SqlState.INVALID_OBJECT_DEFINITION) {
                    throw e;
                }
                session.script("ROLLBACK TO SAVEPOINT pgtrickle_merge; RELEASE SAVEPOINT pgtrickle_merge");
            }
        }
        if (r == null) {
            r = maintain(session, st, null, List.of(sql), Map.of());
        }
        String state = r.restore() + released + "UPDATE pgtrickle.pgt_stream_tables SET frontier = "
                + Identifiers.literal(r.row().get("snapshot"))
                + "::pg_snapshot, is_populated = true, last_refresh_at = now(), data_timestamp = now(), needs_reinit = false, "
                + "status = CASE WHEN status IN ('INITIALIZING', 'ERROR') THEN 'ACTIVE' ELSE status END, "
                + "consecutive_errors = 0, last_error_message = NULL, updated_at = now() WHERE pgt_id = " + st.id() + ";\n";
        return new Result("FULL", r.row().getLong("inserted"), r.row().getLong("deleted"), null, state);
    }

    /**
     * Applies the changes since the frontier with the stored delta statement (one statement: one
     * snapshot for the window, the source rows and the new frontier). A small window runs it as the
     * session's prepared statement {@code deltaName}, which {@code sources} ({@link #windowSources}) tell
     * whether the session has; a large one plans it afresh, without nested loops. An updated row counts
     * as one deleted and one inserted, as capture records an UPDATE. A statement that could not find rows
     * it had to delete (a table without a key whose storage drifted) is undone, and the table recomputed.
     */
    private static Result differential(Session session, StreamTable st, boolean large, String deltaName, List<Row> sources)
            throws SQLException {
        List<String> statements = new java.util.ArrayList<>();
        if (large || sources.isEmpty()) { // planned afresh for the window at hand (decision aa)
            statements.add(st.maintenance().deltaSql());
        } else { // a few changes: parsed and planned once per session
            if (!sources.get(0).getBoolean("prepared")) {
                statements.add("PREPARE " + deltaName + " AS " + st.maintenance().deltaSql());
            }
            statements.add("EXECUTE " + deltaName);
        }
        Maintained m = maintain(session, st, "pgtrickle_delta", statements, large ? LARGE : SMALL);
        Row r = m.row();
        long missing = r.getLong("missing");
        if (missing > 0) {
            // rows to delete were not in the storage: it had drifted from its query; recompute instead
            session.script("ROLLBACK TO SAVEPOINT pgtrickle_delta; RELEASE SAVEPOINT pgtrickle_delta");
            return full(session, st).because(missing + " rows to delete were not in the stream table: recomputed");
        }
        String state = m.restore() + "RELEASE SAVEPOINT pgtrickle_delta;\nUPDATE pgtrickle.pgt_stream_tables SET frontier = "
                + Identifiers.literal(r.get("snapshot")) + "::pg_snapshot, last_refresh_at = now(), data_timestamp = now(), "
                + "status = CASE WHEN status IN ('INITIALIZING', 'ERROR') THEN 'ACTIVE' ELSE status END, "
                + "consecutive_errors = 0, last_error_message = NULL WHERE pgt_id = " + st.id() + ";\n";
        long updated = r.getLong("updated");
        return new Result("DIFFERENTIAL", r.getLong("inserted") + updated, r.getLong("deleted") + updated, null, state);
    }

    /** A maintenance statement's row, and the statement that sets its settings back, to run after it. */
    private record Maintained(Row row, String restore) {
    }

    /**
     * The name of the session's prepared statement for the delta of {@code st} as it is now: the stream
     * table's id and a digest of the statement, so that a new plan gets a new name.
     */
    static String preparedDelta(StreamTable st) {
        byte[] digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(st.maintenance().deltaSql().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return "pgtrickle_delta_" + st.id() + "_" + java.util.HexFormat.of().formatHex(digest, 0, 8);
    }

    /**
     * Deallocates this session's prepared delta statements of stream table {@code pgtId} (a dropped or
     * re-planned one: no refresh runs them again). Other sessions keep theirs until they end; a name is
     * never run for a different statement, as it carries the statement's digest.
     */
    static void forgetPrepared(Session session, long pgtId) throws SQLException {
        StringBuilder sql = new StringBuilder();
        for (Row r : session.query("SELECT name FROM pg_catalog.pg_prepared_statements WHERE name LIKE ?",
                "pgtrickle\\_delta\\_" + pgtId + "\\_%")) {
            sql.append("DEALLOCATE ").append(quote(r.get("name"))).append(";\n");
        }
        if (!sql.isEmpty()) {
            session.script(sql.toString());
        }
    }

    /**
     * Runs one maintenance statement on the storage table: its guard open, under the search_path the
     * stream table was planned with (DIFFERENTIAL), with a source that no longer fits reported as such.
     * A savepoint (unless {@code savepoint} is null), the settings and the {@code statements} (the last one
     * returns the row) go in one round trip; the settings stay until the caller runs
     * {@link Maintained#restore()}, or rolls back to the savepoint.
     */
    private static Maintained maintain(Session session, StreamTable st, String savepoint, List<String> statements,
            Map<String, String> settings) throws SQLException {
        Map<String, String> all = new java.util.LinkedHashMap<>(settings);
        all.put("pgtrickle.maintenance", "on"); // the storage's guard lets these writes through
        if (st.maintenance() != null) {
            all.put("search_path", st.maintenance().searchPath());
            all.putAll(Differential.settingsMap(st.maintenance().settings()));
        }
        LocalSettings local = LocalSettings.of(all);
        List<List<Row>> results;
        try {
            results = session.results((savepoint == null ? "" : "SAVEPOINT " + savepoint + ";\n") + local.set() + ";\n"
                    + String.join(";\n", statements));
        } catch (SQLException e) {
            if (INCOMPATIBLE.contains(e.getSQLState())) {
                throw new PgTrickleException(SqlState.INVALID_OBJECT_DEFINITION,
                        "a source of stream table " + st.displayName() + " changed incompatibly: " + serverMessage(e),
                        null, "Change the source back, or give the stream table a query that fits it "
                                + "(pgtrickle.alter_stream_table(name, query => ...)).");
            }
            throw e;
        }
        List<Row> rows = results.get(results.size() - 1);
        if (rows.size() != 1) {
            throw new IllegalStateException("expected one row, got " + rows.size() + " from " + statements);
        }
        return new Maintained(rows.get(0), local.restore(results.get(savepoint == null ? 0 : 1).get(0)));
    }

    /** Errors of the recompute that mean a source no longer fits the defining query or the storage table. */
    private static final java.util.Set<String> INCOMPATIBLE = java.util.Set.of(
            "42703", // undefined_column
            "42804", // datatype_mismatch
            "42883", // undefined_function (an operator or function for a changed type)
            "42P10"); // invalid_column_reference

    static String serverMessage(SQLException e) {
        return e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getMessage() : e.getMessage();
    }

    /** SQLSTATEs that mean the stream table cannot refresh until someone changes something: status ERROR. */
    private static final java.util.Set<String> PERMANENT = java.util.Set.of("42P01", "42P17");

    /** Consecutive failed refreshes after which a stream table is SUSPENDED (../shared/API.md "Status"). */
    static final int SUSPEND_AFTER = 3;

    /**
     * Records a refresh that failed, in a transaction of its own (the refresh's was rolled back): a
     * FAILED history row, the error count and message, status ERROR for a permanent failure and
     * SUSPENDED after {@value #SUSPEND_AFTER} failures in a row, and a NOTIFY on {@value Channels#ALERT}
     * (delivered with the commit): {"event": "refresh_failed" | "suspended" | "error", "stream_table",
     * "status", "consecutive_errors", "sqlstate", "message", "initiated_by"}.
     */
    static void recordFailure(Session session, long pgtId, Initiator initiator, String sqlState, String message)
            throws SQLException {
        session.script("BEGIN");
        try {
            session.update("INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, action, status, initiated_by, end_time, "
                    + "error_message) SELECT pgt_id, 'FULL', 'FAILED', ?, clock_timestamp(), ? "
                    + "FROM pgtrickle.pgt_stream_tables WHERE pgt_id = ?", initiator.name(), message, pgtId);
            session.query("WITH s AS (UPDATE pgtrickle.pgt_stream_tables SET consecutive_errors = consecutive_errors + 1, "
                    + "last_error_message = ?, updated_at = now(), "
                    + "status = CASE WHEN ? AND status <> 'SUSPENDED' THEN 'ERROR' "
                    + "WHEN consecutive_errors + 1 >= ? AND status IN ('ACTIVE', 'INITIALIZING') THEN 'SUSPENDED' "
                    + "ELSE status END WHERE pgt_id = ? "
                    + "RETURNING pgt_schema, pgt_name, status, consecutive_errors) "
                    + "SELECT pg_catalog.pg_notify(?, pg_catalog.json_build_object("
                    + "'event', CASE status WHEN 'ERROR' THEN 'error' WHEN 'SUSPENDED' THEN 'suspended' ELSE 'refresh_failed' END, "
                    + "'stream_table', pg_catalog.quote_ident(pgt_schema) || '.' || pg_catalog.quote_ident(pgt_name), "
                    + "'status', status, 'consecutive_errors', consecutive_errors, 'sqlstate', ?::text, "
                    + "'message', pg_catalog.left(?, 2000), 'initiated_by', ?::text)::text) FROM s",
                    message, PERMANENT.contains(sqlState), SUSPEND_AFTER, pgtId, Channels.ALERT, sqlState, message,
                    initiator.name());
            session.script("COMMIT");
        } catch (SQLException | RuntimeException e) {
            session.script("ROLLBACK");
            throw e;
        }
    }

    /** 42P01 when a source of the stream table has been dropped since it was created ({@code sources}: {@link #windowSources}). */
    private static void requireSources(StreamTable st, List<Row> sources) {
        for (Row r : sources) {
            if (r.getBoolean("missing")) {
                String source = Identifiers.quoteIfNeeded(r.get("source_schema")) + "."
                        + Identifiers.quoteIfNeeded(r.get("source_name"));
                throw new PgTrickleException(SqlState.UNDEFINED_TABLE,
                        "source table " + source + " of stream table " + st.displayName() + " no longer exists", null,
                        "Recreate the source and its stream table, or drop the stream table.");
            }
        }
    }

    /** Under AUTO, the most change rows a refresh applies rather than recomputing, and what it was derived from. */
    private record ChangeBound(long rows, double sourceRows, double ratio) {
        String reason() {
            return String.format(java.util.Locale.ROOT, "more than %d changed rows against about %.0f source rows "
                    + "(%s = %s): recomputed", rows, sourceRows, MAX_CHANGE_RATIO, ratio);
        }
    }

    /**
     * Under AUTO, a refresh recomputes when the window holds more change rows than
     * {@value #MAX_CHANGE_RATIO} (default 0.5: measured, docs/benchmarks.md) times the rows of the sources, as
     * PostgreSQL's statistics estimate them; null when a source was never analysed (no estimate: the changes
     * are applied). {@code sources}: {@link #windowSources}, which read the estimates and the setting.
     */
    private static ChangeBound changeBound(List<Row> sources) {
        if (sources.isEmpty()) {
            return null;
        }
        double ratio = maxChangeRatio(sources.get(0).get("max_change_ratio"));
        double size = 0;
        for (Row r : sources) {
            if (r.get("reltuples") == null) {
                return null;
            }
            double rows = Double.parseDouble(r.get("reltuples"));
            if (rows < 0) {
                return null;
            }
            size += rows;
        }
        return new ChangeBound((long) Math.floor(ratio * size), size, ratio);
    }

    static double maxChangeRatio(String setting) {
        if (setting == null || setting.isBlank()) {
            return DEFAULT_MAX_CHANGE_RATIO;
        }
        try {
            double ratio = Double.parseDouble(setting.strip());
            if (ratio >= 0 && !Double.isNaN(ratio)) {
                return ratio;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new PgTrickleException(SqlState.INVALID_PARAMETER_VALUE, "invalid value for " + MAX_CHANGE_RATIO
                + ": \"" + setting + "\"", null, "Set it to a share of the source's rows, such as 0.5; "
                + "a large number (1e9) never recomputes.");
    }

    /**
     * Per source of the stream table, in name order: its buffer (null when not captured), the record of
     * this transaction's own applied changes, whether the source still exists, its estimated rows and the
     * setting {@value #MAX_CHANGE_RATIO} (for {@link #changeBound}), whether the session has the statement
     * named {@code deltaName} (or null) prepared, and with a {@code frontier}
     * the rows of its window up to {@code limit} ({@code pending}; null without one).
     */
    private static List<Row> windowSources(Session session, StreamTable st, String frontier, long limit, String deltaName)
            throws SQLException {
        return session.query("SELECT d.source_relid::oid::int8 AS source_relid, d.source_schema, d.source_name, "
                + "b.buffer_table, d.applied_xid::text AS applied_xid, d.applied_seq, "
                + "pg_catalog.current_setting('transaction_isolation') AS isolation, clock_timestamp()::text AS started, "
                + "c.reltuples::float8 AS reltuples, pg_catalog.current_setting('" + MAX_CHANGE_RATIO + "', true) AS max_change_ratio, "
                + "EXISTS (SELECT 1 FROM pg_catalog.pg_prepared_statements p WHERE p.name = ?) AS prepared, "
                + "c.oid IS NULL AS missing, "
                + "b.buffer_table IS NOT NULL AND d.buffer_epoch IS DISTINCT FROM e.epoch AS emptied, e.epoch IS NULL AS no_epoch, "
                + "CASE WHEN b.buffer_table IS NULL OR ?::pg_snapshot IS NULL OR c.oid IS NULL THEN NULL "
                + "ELSE pgtrickle._window_rows(b.buffer_table, ?::pg_snapshot, d.applied_xid, d.applied_seq, ?) END AS pending "
                + "FROM pgtrickle.pgt_dependencies d "
                + "LEFT JOIN pg_catalog.pg_class c ON c.oid = d.source_relid "
                + "LEFT JOIN pgtrickle.pgt_change_buffers b ON b.source_relid = d.source_relid "
                + "LEFT JOIN pgtrickle.pgt_buffer_epochs e ON e.source_relid = d.source_relid::oid WHERE d.pgt_id = ? "
                + "ORDER BY d.source_schema, d.source_name", deltaName, frontier, frontier, limit, st.id());
    }

    /**
     * The first source whose change buffer is not the one this stream table last read (its epoch is
     * gone or new: decision w), as schema.name; null when every buffer is.
     */
    private static String emptiedBuffer(List<Row> sources) {
        for (Row r : sources) {
            if (r.getBoolean("emptied")) {
                return Identifiers.quoteIfNeeded(r.get("source_schema")) + "." + Identifiers.quoteIfNeeded(r.get("source_name"));
            }
        }
        return null;
    }

    /** Buffer rows in the window (decision c of docs/architecture.md), over all captured sources, up to {@code limit}. */
    private static long countWindow(Session session, StreamTable st, List<Row> sources, long limit) throws SQLException {
        long total = 0;
        for (Row s : sources) {
            if (s.get("buffer_table") == null || total >= limit) {
                continue;
            }
            total += session.queryOne("SELECT count(*) AS n FROM (SELECT 1 FROM pgtrickle_changes." + quote(s.get("buffer_table"))
                    + " b WHERE NOT pg_catalog.pg_visible_in_snapshot(b.__pgt_xid, ?::pg_snapshot)"
                    + " AND NOT (b.__pgt_xid IS NOT DISTINCT FROM ?::xid8 AND b.__pgt_seq <= coalesce(?::bigint, 0)) LIMIT ?) w",
                    st.frontier(), s.get("applied_xid"), s.get("applied_seq"), limit - total).getLong("n");
        }
        return total;
    }

    /**
     * After a refresh that advanced the frontier: records per captured source the changes of this
     * transaction itself that it applied, which the frontier cannot cover (a transaction's xid is never
     * visible in its own snapshot), so that later refreshes do not count them again; a transaction that
     * changed nothing clears the record (the new frontier covers the older one's). Then deletes buffered
     * changes every reader of the source has applied. {@code sources}: {@link #windowSources}. The
     * statements are appended to {@code script}, which runs them after the refresh's own.
     */
    static void consumeBuffers(StreamTable st, List<Row> sources, StringBuilder script) {
        for (Row b : sources) {
            if (b.get("buffer_table") == null) {
                continue;
            }
            String buffer = "pgtrickle_changes." + quote(b.get("buffer_table"));
            long relid = b.getLong("source_relid");
            if (b.getBoolean("no_epoch")) { // the buffer starts a new epoch, which this refresh has covered
                script.append("INSERT INTO pgtrickle.pgt_buffer_epochs (source_relid, epoch) VALUES (").append(relid)
                        .append(", pg_catalog.pg_current_xact_id()) ON CONFLICT (source_relid) DO NOTHING;\n");
            }
            script.append("UPDATE pgtrickle.pgt_dependencies SET "
                    + "applied_xid = pg_catalog.pg_current_xact_id_if_assigned(), applied_seq = (SELECT coalesce(max(c.__pgt_seq), 0) "
                    + "FROM ").append(buffer).append(" c WHERE c.__pgt_xid = pg_catalog.pg_current_xact_id_if_assigned())");
            if (b.getBoolean("emptied")) {
                script.append(", buffer_epoch = (SELECT e.epoch FROM pgtrickle.pgt_buffer_epochs e WHERE e.source_relid = ")
                        .append(relid).append(")");
            }
            script.append(" WHERE pgt_id = ").append(st.id()).append(" AND source_relid = ").append(relid).append("::oid;\n");
            // A REPEATABLE READ snapshot may predate the commit of a new reader (below): it leaves the
            // clean-up to a later refresh, or to cleanUp after its transaction
            appendCleanUp(relid, b.get("buffer_table"), "read committed".equals(b.get("isolation")), script);
        }
    }

    /**
     * Deletes, in a READ COMMITTED transaction of its own, the buffered changes that every reader has
     * applied, in the buffers of the sources of these stream tables: after refreshes that could not
     * (REPEATABLE READ, as a diamond group runs). One round trip besides reading the buffers' names.
     */
    static void cleanUp(Session session, List<Long> pgtIds) throws SQLException {
        List<Row> buffers = session.query("SELECT DISTINCT d.source_relid::oid::int8 AS source_relid, b.buffer_table "
                + "FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_change_buffers b ON b.source_relid = d.source_relid "
                + "WHERE d.pgt_id = ANY (?::bigint[]) ORDER BY 1", Identifiers.textArray(pgtIds.stream().map(String::valueOf).toList()));
        if (buffers.isEmpty()) {
            return;
        }
        StringBuilder script = new StringBuilder("BEGIN ISOLATION LEVEL READ COMMITTED;\n");
        for (Row b : buffers) {
            appendCleanUp(b.getLong("source_relid"), b.get("buffer_table"), true, script);
        }
        session.script(script.append("COMMIT").toString());
    }

    /**
     * The clean-up of one source's buffer: the lock a stream table being created over the source in
     * another transaction holds until it commits (Capture.ensure), whose wait lets the DELETE's snapshot
     * (READ COMMITTED: {@code delete}) see the new reader, whose initial refresh may need rows the others
     * have applied; then the DELETE of the rows every reader's frontier covers.
     */
    private static void appendCleanUp(long relid, String bufferTable, boolean delete, StringBuilder script) {
        script.append("SELECT pg_catalog.pg_advisory_xact_lock_shared(").append(Capture.LOCK_SPACE | relid).append(");\n");
        if (!delete) {
            return;
        }
        script.append("DELETE FROM pgtrickle_changes.").append(quote(bufferTable)).append(" c WHERE NOT EXISTS ("
                + "SELECT 1 FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id "
                + "WHERE d.source_relid = ").append(relid).append("::oid AND (s.frontier IS NULL "
                + "OR NOT pg_catalog.pg_visible_in_snapshot(c.__pgt_xid, s.frontier)));\n");
    }
}
