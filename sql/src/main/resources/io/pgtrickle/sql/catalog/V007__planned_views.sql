-- pgtrickle catalog, version 7: the views a DIFFERENTIAL stream table's maintenance SQL has inlined, and validate_query.
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
