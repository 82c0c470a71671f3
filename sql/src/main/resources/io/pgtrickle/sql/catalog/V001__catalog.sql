-- pgtrickle catalog, version 1.
-- Applied by CatalogInstaller under an advisory lock, inside a transaction. Never edit a released
-- migration: add V002__... instead.

CREATE SCHEMA IF NOT EXISTS pgtrickle;
CREATE SCHEMA IF NOT EXISTS pgtrickle_changes;
GRANT USAGE ON SCHEMA pgtrickle TO PUBLIC;
REVOKE ALL ON SCHEMA pgtrickle_changes FROM PUBLIC;

CREATE TABLE pgtrickle.pgt_schema_version (
    version         integer PRIMARY KEY,
    product_version text NOT NULL,
    applied_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pgtrickle.pgt_stream_tables (
    pgt_id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pgt_relid               regclass NOT NULL UNIQUE,
    pgt_schema              text NOT NULL,
    pgt_name                text NOT NULL,
    defining_query          text NOT NULL,
    original_query          text NOT NULL,
    schedule                text NOT NULL,
    freshness_bound         interval,
    refresh_mode            text NOT NULL CHECK (refresh_mode IN ('FULL', 'DIFFERENTIAL', 'IMMEDIATE', 'AUTO')),
    effective_refresh_mode  text NOT NULL CHECK (effective_refresh_mode IN ('FULL', 'DIFFERENTIAL', 'IMMEDIATE')),
    refresh_mode_reason     text,
    status                  text NOT NULL DEFAULT 'INITIALIZING'
                            CHECK (status IN ('INITIALIZING', 'ACTIVE', 'SUSPENDED', 'ERROR')),
    is_populated            boolean NOT NULL DEFAULT false,
    data_timestamp          timestamptz,
    last_refresh_at         timestamptz,
    consecutive_errors      integer NOT NULL DEFAULT 0,
    last_error_message      text,
    needs_reinit            boolean NOT NULL DEFAULT false,
    diamond_consistency     text,
    diamond_schedule_policy text,
    cdc_mode                text,
    append_only             boolean NOT NULL DEFAULT false,
    frontier                pg_snapshot,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (pgt_schema, pgt_name)
);
-- Relations are referenced as regclass, which pg_dump writes as names and a restore turns back into the
-- new OIDs; schema/name columns keep the names for messages and for tables dropped behind our back.
COMMENT ON COLUMN pgtrickle.pgt_stream_tables.frontier IS
    'snapshot of the last refresh: changes whose xid is visible in it have been applied';

CREATE TABLE pgtrickle.pgt_dependencies (
    pgt_id        bigint NOT NULL REFERENCES pgtrickle.pgt_stream_tables ON DELETE CASCADE,
    source_relid  regclass NOT NULL,
    source_schema text NOT NULL,
    source_name   text NOT NULL,
    source_type   text NOT NULL CHECK (source_type IN ('TABLE', 'STREAM_TABLE', 'VIEW', 'MATVIEW', 'FOREIGN_TABLE')),
    columns_used  text[] NOT NULL,
    PRIMARY KEY (pgt_id, source_relid)
);
CREATE INDEX ON pgtrickle.pgt_dependencies (source_relid);

CREATE TABLE pgtrickle.pgt_change_buffers (
    source_relid  regclass PRIMARY KEY,
    source_schema text NOT NULL,
    source_name   text NOT NULL,
    buffer_table  text NOT NULL,
    columns       text[] NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pgtrickle.pgt_refresh_history (
    refresh_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pgt_id        bigint NOT NULL REFERENCES pgtrickle.pgt_stream_tables ON DELETE CASCADE,
    start_time    timestamptz NOT NULL DEFAULT clock_timestamp(),
    end_time      timestamptz,
    action        text NOT NULL CHECK (action IN ('NO_DATA', 'FULL', 'DIFFERENTIAL', 'REINITIALIZE')),
    status        text NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED')),
    rows_inserted bigint NOT NULL DEFAULT 0,
    rows_deleted  bigint NOT NULL DEFAULT 0,
    initiated_by  text NOT NULL CHECK (initiated_by IN ('SCHEDULER', 'MANUAL', 'INITIAL')),
    error_message text
);
CREATE INDEX ON pgtrickle.pgt_refresh_history (pgt_id, start_time DESC);

CREATE TABLE pgtrickle.pgt_scheduler_heartbeat (
    database_name text PRIMARY KEY,
    holder        text NOT NULL,
    started_at    timestamptz NOT NULL,
    last_beat_at  timestamptz NOT NULL
);

-- Everyone may read the catalog; stream-table owners write their own rows through the driver or
-- the proxy, which run as the calling user.
GRANT SELECT, INSERT, UPDATE, DELETE ON pgtrickle.pgt_stream_tables, pgtrickle.pgt_dependencies,
    pgtrickle.pgt_change_buffers, pgtrickle.pgt_refresh_history, pgtrickle.pgt_scheduler_heartbeat TO PUBLIC;
GRANT SELECT ON pgtrickle.pgt_schema_version TO PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Internal helpers used by the front doors.

-- Raises an error with every field set: front doors report engine errors through this so that
-- the client's transaction ends up exactly as PostgreSQL would leave it.
CREATE FUNCTION pgtrickle._raise(sqlstate text, message text, detail text DEFAULT NULL, hint text DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message,
        DETAIL = coalesce(detail, ''), HINT = coalesce(hint, '');
END
$fn$;

-- The result of a void pgtrickle call, with the call's notices (level, sqlstate, message, hint
-- repeated) sent as the server would send them.
CREATE FUNCTION pgtrickle._void_result(notices text[] DEFAULT '{}')
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    i integer := 1;
BEGIN
    WHILE i + 3 <= coalesce(array_length(notices, 1), 0) LOOP
        CASE notices[i]
            WHEN 'WARNING' THEN
                RAISE WARNING USING ERRCODE = notices[i + 1], MESSAGE = notices[i + 2], HINT = coalesce(notices[i + 3], '');
            WHEN 'INFO' THEN
                RAISE INFO USING ERRCODE = notices[i + 1], MESSAGE = notices[i + 2], HINT = coalesce(notices[i + 3], '');
            ELSE
                RAISE NOTICE USING ERRCODE = notices[i + 1], MESSAGE = notices[i + 2], HINT = coalesce(notices[i + 3], '');
        END CASE;
        i := i + 4;
    END LOOP;
END
$fn$;

-- The same for a pgtrickle call written as CALL: no result rows, like a procedure.
CREATE PROCEDURE pgtrickle._call_result(notices text[] DEFAULT '{}')
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pgtrickle._void_result(notices);
END
$fn$;

-- Storage tables refuse direct writes; the engine sets pgtrickle.maintenance for its own.
CREATE FUNCTION pgtrickle._guard_storage() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF coalesce(current_setting('pgtrickle.maintenance', true), '') <> 'on' THEN
        RAISE EXCEPTION USING ERRCODE = '42809',
            MESSAGE = format('cannot %s stream table %s', lower(TG_OP), TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME),
            HINT = 'Stream tables are maintained by pgtrickle: change the sources, or use '
                || 'pgtrickle.alter_stream_table() / pgtrickle.refresh_stream_table().';
    END IF;
    RETURN NULL;
END
$fn$;

-- The calls that need the planner are answered by the pgtrickle JDBC driver or proxy. These
-- declarations give them a signature (for \df and tools) and a clear error for anyone else.
CREATE FUNCTION pgtrickle._needs_frontdoor(fn text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION USING ERRCODE = '0A000',
        MESSAGE = format('pgtrickle.%s must be called through the pgtrickle JDBC driver or proxy', fn),
        HINT = 'Connect with jdbc:pgtrickle:postgresql://... or through pgtrickle-proxy, and make the call '
            || 'a statement of its own: SELECT pgtrickle.' || fn || '(...) with literal or parameter arguments.';
END
$fn$;

CREATE FUNCTION pgtrickle.create_stream_table(name text, query text, schedule text DEFAULT 'calculated',
    refresh_mode text DEFAULT 'AUTO', initialize boolean DEFAULT true, diamond_consistency text DEFAULT NULL,
    diamond_schedule_policy text DEFAULT NULL, cdc_mode text DEFAULT NULL, append_only boolean DEFAULT false)
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle._needs_frontdoor('create_stream_table') $fn$;
CREATE FUNCTION pgtrickle.create_stream_table_if_not_exists(name text, query text, schedule text DEFAULT 'calculated',
    refresh_mode text DEFAULT 'AUTO', initialize boolean DEFAULT true, diamond_consistency text DEFAULT NULL,
    diamond_schedule_policy text DEFAULT NULL, cdc_mode text DEFAULT NULL, append_only boolean DEFAULT false)
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle._needs_frontdoor('create_stream_table_if_not_exists') $fn$;
CREATE FUNCTION pgtrickle.create_or_replace_stream_table(name text, query text, schedule text DEFAULT 'calculated',
    refresh_mode text DEFAULT 'AUTO', initialize boolean DEFAULT true, diamond_consistency text DEFAULT NULL,
    diamond_schedule_policy text DEFAULT NULL, cdc_mode text DEFAULT NULL, append_only boolean DEFAULT false)
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle._needs_frontdoor('create_or_replace_stream_table') $fn$;
CREATE FUNCTION pgtrickle.alter_stream_table(name text, query text DEFAULT NULL, schedule text DEFAULT NULL,
    refresh_mode text DEFAULT NULL, status text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle._needs_frontdoor('alter_stream_table') $fn$;
CREATE FUNCTION pgtrickle.drop_stream_table(name text, cascade boolean DEFAULT false)
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle._needs_frontdoor('drop_stream_table') $fn$;
CREATE FUNCTION pgtrickle.refresh_stream_table(name text)
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle._needs_frontdoor('refresh_stream_table') $fn$;
CREATE FUNCTION pgtrickle.resume_stream_table(name text)
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle._needs_frontdoor('resume_stream_table') $fn$;

-- ---------------------------------------------------------------------------------------------
-- Inspection: plain SQL, so it works from any client.

-- The catalog row of a stream table named as in the API ('name', 'schema.name', '"Odd Name"'),
-- resolved with search_path like any relation name; 42P01 when it is not a stream table.
CREATE FUNCTION pgtrickle._lookup(name text) RETURNS pgtrickle.pgt_stream_tables
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    rel regclass;
    st pgtrickle.pgt_stream_tables;
BEGIN
    rel := to_regclass(name);
    IF rel IS NOT NULL THEN
        SELECT * INTO st FROM pgtrickle.pgt_stream_tables WHERE pgt_relid = rel;
    END IF;
    IF st.pgt_id IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '42P01', MESSAGE = format('stream table "%s" does not exist', name);
    END IF;
    RETURN st;
END
$fn$;

CREATE FUNCTION pgtrickle.version() RETURNS text LANGUAGE sql STABLE AS $fn$
    SELECT product_version FROM pgtrickle.pgt_schema_version ORDER BY version DESC LIMIT 1
$fn$;

CREATE FUNCTION pgtrickle._staleness(st pgtrickle.pgt_stream_tables) RETURNS interval
LANGUAGE sql STABLE AS $fn$
    SELECT CASE WHEN st.data_timestamp IS NULL THEN NULL ELSE now() - st.data_timestamp END
$fn$;

CREATE FUNCTION pgtrickle._is_stale(st pgtrickle.pgt_stream_tables) RETURNS boolean
LANGUAGE sql STABLE AS $fn$
    SELECT CASE
        WHEN NOT st.is_populated THEN true
        WHEN st.freshness_bound IS NULL THEN false
        ELSE now() - st.data_timestamp > st.freshness_bound
    END
$fn$;

CREATE FUNCTION pgtrickle.pgt_status()
RETURNS TABLE (name text, status text, refresh_mode text, is_populated boolean, consecutive_errors integer,
               schedule text, data_timestamp timestamptz, staleness interval)
LANGUAGE sql STABLE AS $fn$
    SELECT s.pgt_schema || '.' || s.pgt_name, s.status, s.effective_refresh_mode, s.is_populated,
           s.consecutive_errors, s.schedule, s.data_timestamp, pgtrickle._staleness(s)
    FROM pgtrickle.pgt_stream_tables s
    ORDER BY s.pgt_schema, s.pgt_name
$fn$;

CREATE FUNCTION pgtrickle.get_refresh_history(name text, max_rows integer DEFAULT 20)
RETURNS TABLE (refresh_id bigint, start_time timestamptz, end_time timestamptz, action text, status text,
               rows_inserted bigint, rows_deleted bigint, initiated_by text, duration_ms double precision,
               error_message text)
LANGUAGE sql STABLE AS $fn$
    SELECT h.refresh_id, h.start_time, h.end_time, h.action, h.status, h.rows_inserted, h.rows_deleted,
           h.initiated_by, extract(epoch FROM h.end_time - h.start_time) * 1000, h.error_message
    FROM pgtrickle.pgt_refresh_history h
    WHERE h.pgt_id = (pgtrickle._lookup(name)).pgt_id
    ORDER BY h.start_time DESC, h.refresh_id DESC
    LIMIT max_rows
$fn$;

CREATE FUNCTION pgtrickle.get_staleness(name text) RETURNS interval LANGUAGE sql STABLE AS $fn$
    SELECT pgtrickle._staleness(pgtrickle._lookup(name))
$fn$;

CREATE FUNCTION pgtrickle.explain_refresh_mode(name text)
RETURNS TABLE (configured text, effective text, reason text)
LANGUAGE sql STABLE AS $fn$
    SELECT s.refresh_mode, s.effective_refresh_mode, s.refresh_mode_reason
    FROM pgtrickle._lookup(name) s
$fn$;

CREATE FUNCTION pgtrickle.list_sources(name text)
RETURNS TABLE (source_schema text, source_name text, source_type text, columns_used text[])
LANGUAGE sql STABLE AS $fn$
    SELECT d.source_schema, d.source_name, d.source_type, d.columns_used
    FROM pgtrickle.pgt_dependencies d
    WHERE d.pgt_id = (pgtrickle._lookup(name)).pgt_id
    ORDER BY d.source_schema, d.source_name
$fn$;

-- Pending (not yet consumed by every reader) changes per captured source.
CREATE FUNCTION pgtrickle.change_buffer_sizes()
RETURNS TABLE (source_schema text, source_name text, buffer_table text, pending_changes bigint)
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    b pgtrickle.pgt_change_buffers;
BEGIN
    FOR b IN SELECT * FROM pgtrickle.pgt_change_buffers ORDER BY source_schema, source_name LOOP
        source_schema := b.source_schema;
        source_name := b.source_name;
        buffer_table := 'pgtrickle_changes.' || quote_ident(b.buffer_table);
        EXECUTE format('SELECT count(*) FROM pgtrickle_changes.%I', b.buffer_table) INTO pending_changes;
        RETURN NEXT;
    END LOOP;
END
$fn$;

CREATE VIEW pgtrickle.pgt_cdc_status AS
    SELECT b.source_schema, b.source_name, b.buffer_table, b.columns,
           (SELECT count(*) FROM pg_trigger t
             WHERE t.tgrelid = b.source_relid AND t.tgname LIKE 'pgt_capture_%') AS capture_triggers,
           (SELECT count(*) FROM pgtrickle.pgt_dependencies d WHERE d.source_relid = b.source_relid) AS consumers,
           b.created_at
    FROM pgtrickle.pgt_change_buffers b;

CREATE VIEW pgtrickle.pg_stat_stream_tables AS
    SELECT s.pgt_id, s.pgt_schema, s.pgt_name, s.status, s.refresh_mode, s.effective_refresh_mode,
           s.is_populated, s.schedule, s.data_timestamp, s.last_refresh_at,
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

CREATE FUNCTION pgtrickle.st_refresh_stats() RETURNS SETOF pgtrickle.pg_stat_stream_tables
LANGUAGE sql STABLE AS $fn$ SELECT * FROM pgtrickle.pg_stat_stream_tables ORDER BY pgt_schema, pgt_name $fn$;

CREATE VIEW pgtrickle.stream_tables_info AS
    SELECT s.pgt_schema, s.pgt_name, s.status, s.refresh_mode, s.effective_refresh_mode, s.schedule,
           s.is_populated, s.data_timestamp, s.last_refresh_at, pgtrickle._staleness(s) AS staleness,
           pgtrickle._is_stale(s) AS stale, s.consecutive_errors, s.last_error_message,
           s.defining_query, s.original_query, s.created_at, s.updated_at
    FROM pgtrickle.pgt_stream_tables s;

CREATE VIEW pgtrickle.quick_health AS
    SELECT count(*) AS total_stream_tables,
           count(*) FILTER (WHERE s.status IN ('ERROR', 'SUSPENDED') OR s.consecutive_errors > 0) AS error_tables,
           count(*) FILTER (WHERE pgtrickle._is_stale(s)) AS stale_tables,
           EXISTS (SELECT 1 FROM pgtrickle.pgt_scheduler_heartbeat hb
                    WHERE hb.database_name = current_database()
                      AND hb.last_beat_at > now() - interval '10 seconds') AS scheduler_running,
           CASE
               WHEN count(*) FILTER (WHERE s.status IN ('ERROR', 'SUSPENDED')) > 0 THEN 'CRITICAL'
               WHEN count(*) FILTER (WHERE s.consecutive_errors > 0 OR pgtrickle._is_stale(s)) > 0 THEN 'WARNING'
               ELSE 'OK'
           END AS status
    FROM pgtrickle.pgt_stream_tables s;

GRANT SELECT ON ALL TABLES IN SCHEMA pgtrickle TO PUBLIC;
