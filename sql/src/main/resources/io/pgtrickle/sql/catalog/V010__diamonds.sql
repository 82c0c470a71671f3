-- pgtrickle catalog, version 10: alter_stream_table takes diamond_consistency and
-- diamond_schedule_policy, as create_stream_table does (the scheduler's atomic diamond groups).

DROP FUNCTION pgtrickle.alter_stream_table(text, text, text, text, text);
CREATE FUNCTION pgtrickle.alter_stream_table(name text, query text DEFAULT NULL, schedule text DEFAULT NULL,
    refresh_mode text DEFAULT NULL, status text DEFAULT NULL, diamond_consistency text DEFAULT NULL,
    diamond_schedule_policy text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle._needs_frontdoor('alter_stream_table') $fn$;

-- values stored before they were checked: anything but the two known ones means the default
UPDATE pgtrickle.pgt_stream_tables SET diamond_consistency = NULL
WHERE diamond_consistency IS NOT NULL AND lower(diamond_consistency) NOT IN ('atomic', 'none');
UPDATE pgtrickle.pgt_stream_tables SET diamond_schedule_policy = NULL
WHERE diamond_schedule_policy IS NOT NULL AND lower(diamond_schedule_policy) NOT IN ('fastest', 'slowest');
