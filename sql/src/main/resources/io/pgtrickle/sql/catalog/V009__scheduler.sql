-- pgtrickle catalog, version 9: the scheduler. Capture notifies channel pgtrickle_changes at the
-- writer's commit (payload: the buffer table), dependency_tree() and health_check().

-- Existing capture functions get the NOTIFY the new ones are made with (Capture.ensure).
DO $upgrade$
DECLARE
    r record;
    def text;
BEGIN
    FOR r IN SELECT p.oid, b.buffer_table
             FROM pgtrickle.pgt_change_buffers b
             JOIN pg_catalog.pg_proc p ON p.proname = 'capture_' || substr(b.buffer_table, length('changes_') + 1)
                  AND p.pronamespace = 'pgtrickle_changes'::regnamespace LOOP
        def := pg_catalog.pg_get_functiondef(r.oid);
        CONTINUE WHEN position('pg_notify' IN def) > 0;
        def := replace(def, E'BEGIN\n    IF TG_OP = ''TRUNCATE'' THEN',
            format(E'BEGIN\n    PERFORM pg_catalog.pg_notify(''pgtrickle_changes'', %L);\n    IF TG_OP = ''TRUNCATE'' THEN',
                   r.buffer_table));
        BEGIN
            EXECUTE def;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'capture function of % not upgraded (owned by another role): its changes wake the scheduler at its tick only',
                r.buffer_table;
        END;
    END LOOP;
END
$upgrade$;

-- The graph: each stream table no other stream table reads, with its sources under it, recursively.
CREATE FUNCTION pgtrickle.dependency_tree()
RETURNS TABLE (tree text, name text, kind text, status text, schedule text, depth integer)
LANGUAGE sql STABLE AS $fn$
    WITH RECURSIVE node AS (
        SELECT s.pgt_relid::oid AS relid, 0 AS depth, ARRAY[s.pgt_relid::oid] AS path,
               ARRAY[s.pgt_schema || '.' || s.pgt_name] AS sort_key
        FROM pgtrickle.pgt_stream_tables s
        WHERE NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d WHERE d.source_relid = s.pgt_relid)
        UNION ALL
        SELECT d.source_relid::oid, n.depth + 1, n.path || d.source_relid::oid,
               n.sort_key || (d.source_schema || '.' || d.source_name)
        FROM node n
        JOIN pgtrickle.pgt_stream_tables s ON s.pgt_relid = n.relid
        JOIN pgtrickle.pgt_dependencies d ON d.pgt_id = s.pgt_id
        WHERE NOT d.source_relid::oid = ANY (n.path)
    )
    SELECT repeat('    ', n.depth) || CASE WHEN n.depth > 0 THEN '└─ ' ELSE '' END || n.sort_key[array_length(n.sort_key, 1)],
           n.sort_key[array_length(n.sort_key, 1)],
           CASE WHEN s.pgt_id IS NOT NULL THEN 'STREAM_TABLE' ELSE coalesce(
               (SELECT d.source_type FROM pgtrickle.pgt_dependencies d WHERE d.source_relid = n.relid LIMIT 1), 'TABLE') END,
           s.status, s.schedule, n.depth
    FROM node n LEFT JOIN pgtrickle.pgt_stream_tables s ON s.pgt_relid = n.relid
    ORDER BY n.sort_key
$fn$;

-- What is wrong, one row per check (severity OK, WARNING or CRITICAL).
CREATE FUNCTION pgtrickle.health_check()
RETURNS TABLE (check_name text, severity text, detail text)
LANGUAGE sql STABLE AS $fn$
    WITH hb AS (
        SELECT holder, last_beat_at FROM pgtrickle.pgt_scheduler_heartbeat WHERE database_name = current_database()
    ), st AS (
        SELECT * FROM pgtrickle.pgt_stream_tables
    )
    SELECT 'scheduler_running',
           CASE WHEN EXISTS (SELECT 1 FROM hb WHERE last_beat_at > now() - interval '10 seconds') THEN 'OK'
                WHEN EXISTS (SELECT 1 FROM st WHERE effective_refresh_mode <> 'IMMEDIATE') THEN 'WARNING' ELSE 'OK' END,
           coalesce((SELECT CASE WHEN last_beat_at > now() - interval '10 seconds'
                                 THEN 'scheduler ' || holder || ', last heartbeat ' || last_beat_at
                                 ELSE 'no scheduler since ' || last_beat_at || ' (was ' || holder || ')' END FROM hb),
                    'no scheduler has run in this database: start pgtrickle-proxy, or refresh manually')
    UNION ALL
    SELECT 'suspended_tables', CASE WHEN count(*) > 0 THEN 'CRITICAL' ELSE 'OK' END,
           coalesce(string_agg(pgt_schema || '.' || pgt_name || ': ' || coalesce(last_error_message, 'suspended'), '; '
                               ORDER BY pgt_schema, pgt_name), 'none')
    FROM st WHERE status = 'SUSPENDED'
    UNION ALL
    SELECT 'error_tables', CASE WHEN count(*) > 0 THEN 'CRITICAL' ELSE 'OK' END,
           coalesce(string_agg(pgt_schema || '.' || pgt_name || ': ' || coalesce(last_error_message, 'error'), '; '
                               ORDER BY pgt_schema, pgt_name), 'none')
    FROM st WHERE status = 'ERROR'
    UNION ALL
    SELECT 'stale_tables', CASE WHEN count(*) > 0 THEN 'WARNING' ELSE 'OK' END,
           coalesce(string_agg(pgt_schema || '.' || pgt_name || ' (' || coalesce(pgtrickle._staleness(st)::text, 'never populated')
                               || ' behind, schedule ' || schedule || ')', '; ' ORDER BY pgt_schema, pgt_name), 'none')
    FROM st WHERE pgtrickle._is_stale(st)
    UNION ALL
    SELECT 'buffer_growth', CASE WHEN coalesce(max(pending_changes), 0) > 1000000 THEN 'WARNING' ELSE 'OK' END,
           coalesce(string_agg(source_schema || '.' || source_name || ': ' || pending_changes || ' pending changes', '; '
                               ORDER BY source_schema, source_name) FILTER (WHERE pending_changes > 1000000), 'none over 1000000')
    FROM pgtrickle.change_buffer_sizes()
    UNION ALL
    SELECT 'missing_triggers', CASE WHEN count(*) > 0 THEN 'CRITICAL' ELSE 'OK' END,
           coalesce(string_agg(source_schema || '.' || source_name || ' has ' || capture_triggers || ' of 4 capture triggers', '; '
                               ORDER BY source_schema, source_name) || ': drop and re-create the stream tables that read it', 'none')
    FROM pgtrickle.pgt_cdc_status WHERE capture_triggers < 4
$fn$;

-- Confirmation (decision x): the scheduler lists in its heartbeat the stream tables whose sources it knows
-- unchanged as of confirmed_at, instead of rewriting each one's catalog row every pass. The monitoring
-- objects count a table fresh as of the later of its last refresh and its confirmation.
ALTER TABLE pgtrickle.pgt_scheduler_heartbeat ADD COLUMN confirmed_at timestamptz, ADD COLUMN confirmed bigint[];
COMMENT ON COLUMN pgtrickle.pgt_scheduler_heartbeat.confirmed IS
    'stream tables whose sources had no change they did not apply as of confirmed_at';

CREATE FUNCTION pgtrickle._fresh_at(st pgtrickle.pgt_stream_tables) RETURNS timestamptz
LANGUAGE sql STABLE AS $fn$
    SELECT CASE WHEN st.data_timestamp IS NULL THEN NULL ELSE greatest(st.data_timestamp,
        (SELECT hb.confirmed_at FROM pgtrickle.pgt_scheduler_heartbeat hb
          WHERE hb.database_name = current_database() AND st.pgt_id = ANY (hb.confirmed))) END
$fn$;

CREATE OR REPLACE FUNCTION pgtrickle._staleness(st pgtrickle.pgt_stream_tables) RETURNS interval
LANGUAGE sql STABLE AS $fn$
    SELECT now() - pgtrickle._fresh_at(st)
$fn$;

CREATE OR REPLACE FUNCTION pgtrickle._is_stale(st pgtrickle.pgt_stream_tables) RETURNS boolean
LANGUAGE sql STABLE AS $fn$
    SELECT CASE
        WHEN NOT st.is_populated THEN true
        WHEN st.freshness_bound IS NULL THEN false
        ELSE now() - pgtrickle._fresh_at(st) > st.freshness_bound
    END
$fn$;

CREATE OR REPLACE FUNCTION pgtrickle.pgt_status()
RETURNS TABLE (name text, status text, refresh_mode text, is_populated boolean, consecutive_errors integer,
               schedule text, data_timestamp timestamptz, staleness interval)
LANGUAGE sql STABLE AS $fn$
    SELECT s.pgt_schema || '.' || s.pgt_name, s.status, s.effective_refresh_mode, s.is_populated,
           s.consecutive_errors, s.schedule, pgtrickle._fresh_at(s), pgtrickle._staleness(s)
    FROM pgtrickle.pgt_stream_tables s
    ORDER BY s.pgt_schema, s.pgt_name
$fn$;

CREATE OR REPLACE VIEW pgtrickle.pg_stat_stream_tables AS
    SELECT s.pgt_id, s.pgt_schema, s.pgt_name, s.status, s.refresh_mode, s.effective_refresh_mode,
           s.is_populated, s.schedule, pgtrickle._fresh_at(s) AS data_timestamp, s.last_refresh_at,
           coalesce(h.total_refreshes, 0) AS total_refreshes,
           coalesce(h.successful_refreshes, 0) AS successful_refreshes,
           coalesce(h.failed_refreshes, 0) AS failed_refreshes,
           coalesce(h.rows_inserted, 0) AS total_rows_inserted,
           coalesce(h.rows_deleted, 0) AS total_rows_deleted,
           h.avg_duration_ms,
           last.action AS last_action, last.status AS last_status,
           s.consecutive_errors, s.last_error_message,
           pgtrickle._staleness(s) AS staleness,
           pgtrickle._is_stale(s) AS stale
    FROM pgtrickle.pgt_stream_tables s
    LEFT JOIN LATERAL (
        SELECT count(*) AS total_refreshes,
               count(*) FILTER (WHERE status = 'COMPLETED') AS successful_refreshes,
               count(*) FILTER (WHERE status = 'FAILED') AS failed_refreshes,
               sum(rows_inserted) AS rows_inserted, sum(rows_deleted) AS rows_deleted,
               avg(extract(epoch FROM end_time - start_time) * 1000) AS avg_duration_ms
        FROM pgtrickle.pgt_refresh_history WHERE pgt_id = s.pgt_id) h ON true
    LEFT JOIN LATERAL (
        SELECT action, status FROM pgtrickle.pgt_refresh_history
        WHERE pgt_id = s.pgt_id ORDER BY start_time DESC, refresh_id DESC LIMIT 1) last ON true;

CREATE OR REPLACE VIEW pgtrickle.stream_tables_info AS
    SELECT s.pgt_schema, s.pgt_name, s.status, s.refresh_mode, s.effective_refresh_mode, s.schedule,
           s.is_populated, pgtrickle._fresh_at(s) AS data_timestamp, s.last_refresh_at, pgtrickle._staleness(s) AS staleness,
           pgtrickle._is_stale(s) AS stale, s.consecutive_errors, s.last_error_message,
           s.defining_query, s.original_query, s.created_at, s.updated_at
    FROM pgtrickle.pgt_stream_tables s;
