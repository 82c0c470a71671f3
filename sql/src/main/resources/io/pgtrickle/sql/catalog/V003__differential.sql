-- pgtrickle catalog, version 3: differential maintenance.
--
-- The planner compiles a DIFFERENTIAL stream table into SQL kept here, so that a refresh is one
-- stored statement: populate_query fills the storage from scratch (the defining query with the hidden
-- row-identity columns added), delta_sql applies one window of changes. Both embed the user's own
-- expressions, so they run with the search_path the stream table was planned under.
ALTER TABLE pgtrickle.pgt_stream_tables
    ADD COLUMN populate_query text,
    ADD COLUMN delta_sql text,
    ADD COLUMN planned_search_path text;
COMMENT ON COLUMN pgtrickle.pgt_stream_tables.populate_query IS
    'DIFFERENTIAL: the defining query with the hidden __pgt_ columns, for a FULL refresh';
COMMENT ON COLUMN pgtrickle.pgt_stream_tables.delta_sql IS
    'DIFFERENTIAL: the statement that applies the changes since the frontier';
COMMENT ON COLUMN pgtrickle.pgt_stream_tables.planned_search_path IS
    'DIFFERENTIAL: the search_path populate_query and delta_sql are run with';

-- Why a refresh did what it did, when that was a choice: AUTO recomputing (FULL) because the pending
-- changes were a large share of the sources.
ALTER TABLE pgtrickle.pgt_refresh_history ADD COLUMN reason text;

DROP FUNCTION pgtrickle.get_refresh_history(text, integer);
CREATE FUNCTION pgtrickle.get_refresh_history(name text, max_rows integer DEFAULT 20)
RETURNS TABLE (refresh_id bigint, start_time timestamptz, end_time timestamptz, action text, status text,
               rows_inserted bigint, rows_deleted bigint, initiated_by text, duration_ms double precision,
               error_message text, reason text)
LANGUAGE sql STABLE AS $fn$
    SELECT h.refresh_id, h.start_time, h.end_time, h.action, h.status, h.rows_inserted, h.rows_deleted,
           h.initiated_by, extract(epoch FROM h.end_time - h.start_time) * 1000, h.error_message, h.reason
    FROM pgtrickle.pgt_refresh_history h
    WHERE h.pgt_id = (pgtrickle._lookup(name)).pgt_id
    ORDER BY h.start_time DESC, h.refresh_id DESC
    LIMIT max_rows
$fn$;
GRANT SELECT ON pgtrickle.pgt_refresh_history TO PUBLIC;
