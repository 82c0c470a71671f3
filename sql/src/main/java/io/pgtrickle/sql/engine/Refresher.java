package io.pgtrickle.sql.engine;

import static io.pgtrickle.sql.command.Identifiers.quote;

import io.pgtrickle.sql.catalog.StreamTable;
import io.pgtrickle.sql.command.Identifiers;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import io.pgtrickle.sql.session.Row;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
import java.util.List;

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

    /** The result of one refresh. */
    record Result(String action, long inserted, long deleted) {
    }

    private Refresher() {
    }

    static Result refresh(Session session, StreamTable st, Initiator initiator) throws SQLException {
        requireSources(session, st);
        session.query("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pgtrickle.refresh'), ?::int)",
                (int) st.id());
        long historyId = session.queryOne("INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, action, status, initiated_by) "
                + "VALUES (?, 'FULL', 'RUNNING', ?) RETURNING refresh_id", st.id(), initiator.name()).getLong("refresh_id");
        Result result;
        if (initiator != Initiator.INITIAL && st.populated() && !hasPendingChanges(session, st)) {
            result = new Result("NO_DATA", 0, 0);
            session.update("UPDATE pgtrickle.pgt_stream_tables SET last_refresh_at = now(), data_timestamp = now(), "
                    + "status = CASE WHEN status IN ('INITIALIZING', 'ERROR') THEN 'ACTIVE' ELSE status END, "
                    + "consecutive_errors = 0, last_error_message = NULL WHERE pgt_id = ?", st.id());
        } else {
            result = full(session, st);
        }
        session.update("UPDATE pgtrickle.pgt_refresh_history SET end_time = clock_timestamp(), status = 'COMPLETED', "
                + "action = ?, rows_inserted = ?, rows_deleted = ? WHERE refresh_id = ?",
                result.action(), result.inserted(), result.deleted(), historyId);
        consumeBuffers(session, st, !result.action().equals("NO_DATA"));
        return result;
    }

    private static Result full(Session session, StreamTable st) throws SQLException {
        session.query("SELECT pg_catalog.set_config('pgtrickle.maintenance', 'on', true)");
        Row r;
        try {
            r = session.queryOne("WITH del AS (DELETE FROM " + st.quotedName() + " RETURNING 1), "
                    + "ins AS (INSERT INTO " + st.quotedName() + " SELECT * FROM (\n" + st.definingQuery() + "\n) q "
                    + "RETURNING 1) SELECT (SELECT count(*) FROM del) AS deleted, (SELECT count(*) FROM ins) AS inserted, "
                    + "pg_catalog.pg_current_snapshot()::text AS snapshot");
        } catch (SQLException e) {
            if (INCOMPATIBLE.contains(e.getSQLState())) {
                throw new PgTrickleException(SqlState.INVALID_OBJECT_DEFINITION,
                        "a source of stream table " + st.displayName() + " changed incompatibly: " + serverMessage(e),
                        null, "Change the source back, or give the stream table a query that fits it "
                                + "(pgtrickle.alter_stream_table(name, query => ...)).");
            }
            throw e;
        }
        session.query("SELECT pg_catalog.set_config('pgtrickle.maintenance', 'off', true)");
        session.update("UPDATE pgtrickle.pgt_stream_tables SET frontier = ?::pg_snapshot, is_populated = true, "
                + "last_refresh_at = now(), data_timestamp = now(), needs_reinit = false, "
                + "status = CASE WHEN status IN ('INITIALIZING', 'ERROR') THEN 'ACTIVE' ELSE status END, "
                + "consecutive_errors = 0, last_error_message = NULL, updated_at = now() WHERE pgt_id = ?",
                r.get("snapshot"), st.id());
        return new Result("FULL", r.getLong("inserted"), r.getLong("deleted"));
    }

    /** Errors of the recompute that mean a source no longer fits the defining query or the storage table. */
    private static final java.util.Set<String> INCOMPATIBLE = java.util.Set.of(
            "42703", // undefined_column
            "42804", // datatype_mismatch
            "42883", // undefined_function (an operator or function for a changed type)
            "42P10"); // invalid_column_reference

    private static String serverMessage(SQLException e) {
        return e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null
                ? p.getServerErrorMessage().getMessage() : e.getMessage();
    }

    /** SQLSTATEs that mean the stream table cannot refresh until someone changes something: status ERROR. */
    private static final java.util.Set<String> PERMANENT = java.util.Set.of("42P01", "42P17");

    /**
     * Records a refresh that failed, in a transaction of its own (the refresh's was rolled back): a
     * FAILED history row, the error count and message, and status ERROR for a permanent failure.
     */
    static void recordFailure(Session session, long pgtId, Initiator initiator, String sqlState, String message)
            throws SQLException {
        session.script("BEGIN");
        try {
            session.update("INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, action, status, initiated_by, end_time, "
                    + "error_message) SELECT pgt_id, 'FULL', 'FAILED', ?, clock_timestamp(), ? "
                    + "FROM pgtrickle.pgt_stream_tables WHERE pgt_id = ?", initiator.name(), message, pgtId);
            session.update("UPDATE pgtrickle.pgt_stream_tables SET consecutive_errors = consecutive_errors + 1, "
                    + "last_error_message = ?, updated_at = now(), "
                    + "status = CASE WHEN ? AND status <> 'SUSPENDED' THEN 'ERROR' ELSE status END WHERE pgt_id = ?",
                    message, PERMANENT.contains(sqlState), pgtId);
            session.script("COMMIT");
        } catch (SQLException | RuntimeException e) {
            session.script("ROLLBACK");
            throw e;
        }
    }

    /** 42P01 when a source of the stream table has been dropped since it was created. */
    private static void requireSources(Session session, StreamTable st) throws SQLException {
        List<Row> missing = session.query("SELECT d.source_schema, d.source_name FROM pgtrickle.pgt_dependencies d "
                + "WHERE d.pgt_id = ? AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = d.source_relid) "
                + "ORDER BY 1, 2", st.id());
        if (!missing.isEmpty()) {
            String source = Identifiers.quoteIfNeeded(missing.get(0).get("source_schema")) + "."
                    + Identifiers.quoteIfNeeded(missing.get(0).get("source_name"));
            throw new PgTrickleException(SqlState.UNDEFINED_TABLE,
                    "source table " + source + " of stream table " + st.displayName() + " no longer exists", null,
                    "Recreate the source and its stream table, or drop the stream table.");
        }
    }

    /**
     * True unless every source is captured and no captured change is newer than the frontier.
     * Changes of the calling transaction itself count (they are not in any earlier snapshot).
     */
    private static boolean hasPendingChanges(Session session, StreamTable st) throws SQLException {
        if (st.frontier() == null) {
            return true;
        }
        List<Row> sources = session.query("SELECT b.buffer_table, d.applied_xid::text AS applied_xid, d.applied_seq "
                + "FROM pgtrickle.pgt_dependencies d "
                + "LEFT JOIN pgtrickle.pgt_change_buffers b ON b.source_relid = d.source_relid WHERE d.pgt_id = ?", st.id());
        if (sources.isEmpty()) {
            return false; // a query over no relation (SELECT 1) never changes
        }
        StringBuilder sql = new StringBuilder("SELECT EXISTS (");
        List<Object> params = new java.util.ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            String buffer = sources.get(i).get("buffer_table");
            if (buffer == null) {
                return true; // a source without capture (materialized view, foreign table): always recompute
            }
            if (i > 0) {
                sql.append(" UNION ALL ");
            }
            sql.append("SELECT 1 FROM pgtrickle_changes.").append(quote(buffer))
                    .append(" b WHERE NOT pg_catalog.pg_visible_in_snapshot(b.__pgt_xid, ?::pg_snapshot)")
                    .append(" AND NOT (b.__pgt_xid IS NOT DISTINCT FROM ?::xid8 AND b.__pgt_seq <= ?::bigint)");
            params.add(st.frontier());
            params.add(sources.get(i).get("applied_xid"));
            params.add(sources.get(i).get("applied_seq"));
        }
        sql.append(") AS pending");
        return session.queryOne(sql.toString(), params.toArray()).getBoolean("pending");
    }

    /**
     * After a refresh: when it recomputed ({@code advanced}, a new frontier), records per source the
     * changes of this transaction itself that it applied, which the frontier cannot cover (a
     * transaction's xid is never visible in its own snapshot), so that later refreshes do not count them
     * again; a transaction that changed nothing clears the record (the new frontier covers the older
     * one's). Then deletes buffered changes every reader of the source has applied.
     */
    static void consumeBuffers(Session session, StreamTable st, boolean advanced) throws SQLException {
        for (Row b : session.query("SELECT b.source_relid::oid::int8 AS source_relid, b.buffer_table FROM pgtrickle.pgt_change_buffers b "
                + "JOIN pgtrickle.pgt_dependencies d ON d.source_relid = b.source_relid WHERE d.pgt_id = ?", st.id())) {
            String buffer = "pgtrickle_changes." + quote(b.get("buffer_table"));
            if (advanced) {
                session.update("UPDATE pgtrickle.pgt_dependencies SET "
                        + "applied_xid = pg_catalog.pg_current_xact_id_if_assigned(), applied_seq = (SELECT max(c.__pgt_seq) "
                        + "FROM " + buffer + " c WHERE c.__pgt_xid = pg_catalog.pg_current_xact_id_if_assigned()) "
                        + "WHERE pgt_id = ? AND source_relid = ?::oid", st.id(), b.getLong("source_relid"));
            }
            session.update("DELETE FROM " + buffer + " c WHERE NOT EXISTS ("
                    + "SELECT 1 FROM pgtrickle.pgt_dependencies d JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id "
                    + "WHERE d.source_relid = ?::oid AND (s.frontier IS NULL "
                    + "OR NOT pg_catalog.pg_visible_in_snapshot(c.__pgt_xid, s.frontier)))", b.getLong("source_relid"));
        }
    }
}
