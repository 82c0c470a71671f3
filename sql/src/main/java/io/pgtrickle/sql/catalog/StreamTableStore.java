package io.pgtrickle.sql.catalog;

import io.pgtrickle.sql.command.Identifiers;
import io.pgtrickle.sql.command.QualifiedName;
import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import io.pgtrickle.sql.session.Row;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads and writes the catalog rows of stream tables (pgtrickle.pgt_stream_tables and friends). */
public final class StreamTableStore {
    private static final String SELECT = "SELECT s.pgt_id, s.pgt_relid::oid AS pgt_relid, s.pgt_schema, s.pgt_name, s.defining_query, "
            + "s.original_query, s.schedule, s.refresh_mode, s.effective_refresh_mode, s.status, s.is_populated, "
            + "s.frontier::text AS frontier, s.populate_query, s.delta_sql, s.planned_search_path, s.planned_settings, s.planned_views::text AS planned_views, s.planned_views_md5, s.needs_reinit, "
            + "EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = s.pgt_relid) AS storage_exists, "
            + "coalesce((SELECT pg_catalog.pg_has_role(c.relowner, 'USAGE') FROM pg_catalog.pg_class c "
            + "WHERE c.oid = s.pgt_relid), true) AS may_own "
            + "FROM pgtrickle.pgt_stream_tables s ";

    private StreamTableStore() {
    }

    /**
     * The stream table a user's name refers to: resolved like any relation name (search_path for
     * unqualified names), falling back to the catalog's own schema/name when its storage table is
     * gone. The row is locked FOR UPDATE so concurrent alter/drop/refresh of it serialise.
     */
    public static Optional<StreamTable> find(Session session, QualifiedName name) throws SQLException {
        String relation = name.schema() == null ? Identifiers.quote(name.name())
                : Identifiers.quote(name.schema()) + "." + Identifiers.quote(name.name());
        List<Row> rows;
        try {
            rows = session.query(SELECT + "WHERE s.pgt_relid = to_regclass(?) "
                    + "OR (to_regclass(?) IS NULL AND s.pgt_name = ? AND s.pgt_schema = coalesce(?, current_schema())) "
                    + "FOR UPDATE OF s", relation, relation, name.name(), name.schema());
        } catch (SQLException e) {
            if (SqlState.SERIALIZATION_FAILURE.code().equals(e.getSQLState())) { // say which and why, not only "concurrent update"
                throw new PgTrickleException(SqlState.SERIALIZATION_FAILURE, "stream table " + name + " was refreshed or "
                        + "altered by another session (the scheduler's refresh, say) after this transaction's snapshot was "
                        + "taken", e.getMessage(), "Retry the transaction. A REPEATABLE READ or SERIALIZABLE transaction "
                        + "cannot act on a stream table changed after its snapshot; in READ COMMITTED the call waits for "
                        + "the other session and goes on.");
            }
            throw e;
        }
        return rows.isEmpty() ? Optional.empty() : Optional.of(StreamTable.of(rows.get(0)));
    }

    /** Like {@link #find} but 42P01 when there is no such stream table. */
    public static StreamTable require(Session session, QualifiedName name) throws SQLException {
        return find(session, name).orElseThrow(() -> new PgTrickleException(SqlState.UNDEFINED_TABLE,
                "stream table \"" + name + "\" does not exist"));
    }

    public static StreamTable byId(Session session, long id) throws SQLException {
        return StreamTable.of(session.queryOne(SELECT + "WHERE s.pgt_id = ? FOR UPDATE OF s", id));
    }

    /** 42501 unless the current user may act as the storage table's owner (as ALTER TABLE requires). */
    public static void requireOwner(StreamTable st) {
        if (!st.mayOwn()) { // read with the row, under its lock
            throw new PgTrickleException(SqlState.INSUFFICIENT_PRIVILEGE,
                    "must be owner of stream table " + st.displayName());
        }
    }

    /** Stream tables that read the given stream table directly, by display name. */
    public static List<StreamTable> dependents(Session session, StreamTable st) throws SQLException {
        List<StreamTable> out = new ArrayList<>();
        for (Row r : session.query(SELECT + "WHERE s.pgt_id IN (SELECT d.pgt_id FROM pgtrickle.pgt_dependencies d "
                + "WHERE d.source_relid = ?::oid) ORDER BY s.pgt_schema, s.pgt_name", st.relid())) {
            out.add(StreamTable.of(r));
        }
        return out;
    }

    /** The relids of base sources the stream table reads (those with capture). */
    public static List<Long> sourceRelids(Session session, long pgtId) throws SQLException {
        List<Long> out = new ArrayList<>();
        for (Row r : session.query("SELECT source_relid::oid AS source_relid FROM pgtrickle.pgt_dependencies WHERE pgt_id = ? "
                + "ORDER BY source_relid", pgtId)) {
            out.add(r.getLong("source_relid"));
        }
        return out;
    }

    /** Replaces the dependency rows of a stream table. */
    public static void saveDependencies(Session session, long pgtId, List<Source> sources) throws SQLException {
        session.update("DELETE FROM pgtrickle.pgt_dependencies WHERE pgt_id = ?", pgtId);
        for (Source s : sources) {
            session.update("INSERT INTO pgtrickle.pgt_dependencies (pgt_id, source_relid, source_schema, source_name, "
                    + "source_type, columns_used) VALUES (?, ?::oid::regclass, ?, ?, ?, ?::text[])",
                    pgtId, s.relid(), s.schema(), s.name(), s.type().name(), Identifiers.textArray(s.columns()));
        }
    }
}
