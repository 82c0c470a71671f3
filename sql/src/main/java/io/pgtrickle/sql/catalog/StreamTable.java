package io.pgtrickle.sql.catalog;

import io.pgtrickle.sql.command.Identifiers;
import io.pgtrickle.sql.command.RefreshMode;
import io.pgtrickle.sql.command.Status;
import io.pgtrickle.sql.session.Row;

/**
 * A row of pgtrickle.pgt_stream_tables, as far as the engine needs it; {@code mayOwn}: whether the current
 * user could act as the storage table's owner when the row was read (true when there is no storage).
 */
public record StreamTable(
        long id,
        long relid,
        String schema,
        String name,
        String definingQuery,
        String originalQuery,
        String schedule,
        RefreshMode refreshMode,
        RefreshMode effectiveMode,
        Status status,
        boolean populated,
        String frontier,
        boolean storageExists,
        boolean mayOwn,
        Maintenance maintenance,
        boolean needsReinit) {

    /**
     * The stored SQL of a DIFFERENTIAL stream table (catalog version 3): the defining query with the
     * hidden columns, the delta statement, the search_path both run with, and the other settings they
     * run with (version 5; name, value, name, value, ...; an array literal, or null before version 5), and
     * the views both inlined (version 7; an oid array literal, null when none) with the fingerprint of
     * their definitions when they were planned.
     */
    public record Maintenance(String populateQuery, String deltaSql, String searchPath, String settings, String views,
            String viewsFingerprint) {
    }

    static StreamTable of(Row r) {
        return new StreamTable(
                r.getLong("pgt_id"), r.getLong("pgt_relid"), r.get("pgt_schema"), r.get("pgt_name"),
                r.get("defining_query"), r.get("original_query"), r.get("schedule"),
                RefreshMode.valueOf(r.get("refresh_mode")), RefreshMode.valueOf(r.get("effective_refresh_mode")),
                Status.valueOf(r.get("status")), r.getBoolean("is_populated"), r.get("frontier"),
                r.getBoolean("storage_exists"), r.getBoolean("may_own"),
                r.get("delta_sql") == null ? null
                        : new Maintenance(r.get("populate_query"), r.get("delta_sql"), r.get("planned_search_path"),
                                r.get("planned_settings"), r.get("planned_views"), r.get("planned_views_md5")),
                r.getBoolean("needs_reinit"));
    }

    /** schema.name, both always quoted: safe to splice into SQL. */
    public String quotedName() {
        return Identifiers.quote(schema) + "." + Identifiers.quote(name);
    }

    /** schema.name quoted only where needed: for messages. */
    public String displayName() {
        return Identifiers.quoteIfNeeded(schema) + "." + Identifiers.quoteIfNeeded(name);
    }
}
