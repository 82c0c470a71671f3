-- pgtrickle catalog, version 7: views inlined into maintenance SQL, validate_query, change buffers without an index, notices without empty hints.
--
-- The planner reads a view as its definition, so the delta statement holds the view's query as it was
-- when the stream table was planned. The views read (directly or through other views) are kept with a
-- fingerprint of their rewrite rules; a refresh that finds the fingerprint changed (a view replaced,
-- dropped, or its columns retyped) plans the stream table again and recomputes it (REINITIALIZE).
ALTER TABLE pgtrickle.pgt_stream_tables ADD COLUMN planned_views oid[], ADD COLUMN planned_views_md5 text;
COMMENT ON COLUMN pgtrickle.pgt_stream_tables.planned_views IS
    'DIFFERENTIAL: the views the maintenance SQL inlined (NULL when none)';
COMMENT ON COLUMN pgtrickle.pgt_stream_tables.planned_views_md5 IS
    'DIFFERENTIAL: md5 of those views'' rewrite rules (pg_rewrite.ev_action) when they were planned';

-- validate_query needs the planner: answered by the pgtrickle JDBC driver or proxy, like the lifecycle calls.
CREATE FUNCTION pgtrickle.validate_query(query text)
RETURNS TABLE ("check" text, result text, severity text) LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pgtrickle._needs_frontdoor('validate_query');
END
$fn$;

-- Change buffers lose the primary key on __pgt_seq: nothing reads them through it (windows, counts and
-- clean-up scan the buffer, which holds only what some stream table has not applied yet), and keeping
-- the index up cost the writers a third of their capture time (docs/benchmarks.md). New buffers are
-- made without it. A buffer the upgrading user does not own keeps its index (harmless) until its
-- capture is installed again.
DO $upgrade$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.conrelid::regclass AS buffer, c.conname
             FROM pgtrickle.pgt_change_buffers b
             JOIN pg_catalog.pg_class k ON k.relname = b.buffer_table
                  AND k.relnamespace = 'pgtrickle_changes'::regnamespace
             JOIN pg_catalog.pg_constraint c ON c.conrelid = k.oid AND c.contype = 'p' LOOP
        BEGIN
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.buffer, r.conname);
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;
        END;
    END LOOP;
END
$upgrade$;

-- The rows of a change buffer in a stream table's window (decision c), up to lim: read with the window's
-- sources in the refresh's first statement, so that deciding NO_DATA costs no round trip of its own.
CREATE FUNCTION pgtrickle._window_rows(buffer text, frontier pg_snapshot, applied_xid xid8, applied_seq bigint, lim bigint)
RETURNS bigint LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM pgtrickle_changes.%I b '
            || 'WHERE NOT pg_catalog.pg_visible_in_snapshot(b.__pgt_xid, $1) '
            || 'AND NOT (b.__pgt_xid IS NOT DISTINCT FROM $2 AND b.__pgt_seq <= coalesce($3, 0)) LIMIT $4) w', buffer)
        INTO n USING frontier, applied_xid, applied_seq, lim;
    RETURN n;
END
$fn$;

-- A call's notices without a hint no longer carry an empty HINT field (psql printed "HINT:" with nothing).
CREATE OR REPLACE FUNCTION pgtrickle._void_result(notices text[] DEFAULT '{}')
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    i integer := 1;
BEGIN
    WHILE i + 3 <= coalesce(array_length(notices, 1), 0) LOOP
        IF coalesce(notices[i + 3], '') = '' THEN
            CASE notices[i]
                WHEN 'WARNING' THEN RAISE WARNING USING ERRCODE = notices[i + 1], MESSAGE = notices[i + 2];
                WHEN 'INFO' THEN RAISE INFO USING ERRCODE = notices[i + 1], MESSAGE = notices[i + 2];
                ELSE RAISE NOTICE USING ERRCODE = notices[i + 1], MESSAGE = notices[i + 2];
            END CASE;
        ELSE
            CASE notices[i]
                WHEN 'WARNING' THEN RAISE WARNING USING ERRCODE = notices[i + 1], MESSAGE = notices[i + 2], HINT = notices[i + 3];
                WHEN 'INFO' THEN RAISE INFO USING ERRCODE = notices[i + 1], MESSAGE = notices[i + 2], HINT = notices[i + 3];
                ELSE RAISE NOTICE USING ERRCODE = notices[i + 1], MESSAGE = notices[i + 2], HINT = notices[i + 3];
            END CASE;
        END IF;
        i := i + 4;
    END LOOP;
END
$fn$;
