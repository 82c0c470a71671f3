-- pgtrickle catalog, version 6: what explain_st shows.
--
-- The planner's operator tree and the delta rule it chose are kept beside the stored SQL when a stream
-- table is planned (NULL for a FULL one, and for stream tables planned before this version until their
-- next create_or_replace or alter with a query).
ALTER TABLE pgtrickle.pgt_stream_tables ADD COLUMN operator_tree text, ADD COLUMN delta_rule text;
COMMENT ON COLUMN pgtrickle.pgt_stream_tables.operator_tree IS
    'DIFFERENTIAL: the planner''s operator tree of the defining query, one node a line';
COMMENT ON COLUMN pgtrickle.pgt_stream_tables.delta_rule IS
    'DIFFERENTIAL: the delta rule of delta_sql (KEYS_RECOMPUTED, IMAGES_COUNTED, GROUPS_RECOMPUTED, GROUPS_FROM_CHANGES)';

-- One row per property, in a fixed order; a property the stream table has none of is NULL.
CREATE FUNCTION pgtrickle.explain_st(name text)
RETURNS TABLE (property text, value text)
LANGUAGE sql STABLE AS $fn$
    SELECT p.property, p.value
    FROM pgtrickle._lookup(name) s,
         LATERAL (VALUES
            (1, 'configured_mode', s.refresh_mode),
            (2, 'effective_mode', s.effective_refresh_mode),
            (3, 'mode_reason', s.refresh_mode_reason),
            (4, 'defining_query', s.defining_query),
            (5, 'sources', (SELECT string_agg(format('%I.%I', d.source_schema, d.source_name), ', '
                                              ORDER BY d.source_schema, d.source_name)
                            FROM pgtrickle.pgt_dependencies d WHERE d.pgt_id = s.pgt_id)),
            (6, 'operator_tree', s.operator_tree),
            (7, 'delta_rule', s.delta_rule),
            (8, 'delta_sql', s.delta_sql),
            (9, 'refresh_sql', coalesce(s.populate_query, s.defining_query))
         ) AS p(ord, property, value)
    ORDER BY p.ord
$fn$;
