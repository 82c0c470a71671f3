-- pgtrickle catalog, version 4: two capture fixes.
--
-- 1. A refresh made by a transaction that had not written to a source recorded its own xid with no
--    sequence number (applied_seq NULL); windows then compared `seq <= NULL` and dropped every later
--    change of that transaction. The record now says 0 ("none applied"); old rows are set the same.
UPDATE pgtrickle.pgt_dependencies SET applied_seq = 0 WHERE applied_xid IS NOT NULL AND applied_seq IS NULL;

-- 2. Buffer columns were typed with format_type(type, NULL), which spells character and bit without a
--    length: char(1) and bit(1), too short for the values of char(n) and bit(n) sources, so every write
--    to such a source failed in capture. They become unconstrained (bpchar, "bit"), as new buffers are.
DO $fix$
DECLARE
    col record;
BEGIN
    FOR col IN
        SELECT b.buffer_table, a.attname, pg_catalog.format_type(a.atttypid, -1) AS type
        FROM pgtrickle.pgt_change_buffers b
        JOIN pg_catalog.pg_class c ON c.relname = b.buffer_table
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pgtrickle_changes'
        JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE a.atttypmod <> -1 AND a.attname NOT LIKE '\_\_pgt\_%'
    LOOP
        EXECUTE format('ALTER TABLE pgtrickle_changes.%I ALTER COLUMN %I TYPE %s', col.buffer_table, col.attname, col.type);
    END LOOP;
END
$fix$;
