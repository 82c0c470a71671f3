-- Change buffers become UNLOGGED (decision w of docs/architecture.md): capture no longer writes WAL for
-- the changes it copies, which was most of what it cost the writers. A crash (or a restore from a
-- physical backup, or a promoted standby) empties every unlogged table, buffers included, so each
-- buffer has an epoch in pgt_buffer_epochs, itself unlogged and so emptied together with the buffers;
-- each reader remembers the epoch of the buffer it last read. A refresh that finds its source's epoch
-- missing or different knows changes may be gone and recomputes instead of applying a delta.
CREATE UNLOGGED TABLE pgtrickle.pgt_buffer_epochs (
    source_relid oid PRIMARY KEY,
    epoch        xid8 NOT NULL
);
COMMENT ON TABLE pgtrickle.pgt_buffer_epochs IS
    'pgtrickle: the epoch of each change buffer; unlogged, emptied with the buffers by a crash';
-- as the other catalog tables: the role that captures a source, or refreshes after a crash, writes it
GRANT SELECT, INSERT, UPDATE, DELETE ON pgtrickle.pgt_buffer_epochs TO PUBLIC;

ALTER TABLE pgtrickle.pgt_dependencies ADD COLUMN buffer_epoch xid8;

-- Existing buffers: unlogged, and their sequence numbers taken 1,000 at a time per session (only their
-- order within one transaction matters). A buffer the upgrading user does not own stays as it was: its
-- readers then recompute once after a crash that they did not need to (the epoch still resets).
DO $upgrade$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT k.oid::regclass AS buffer
             FROM pgtrickle.pgt_change_buffers b
             JOIN pg_catalog.pg_class k ON k.relname = b.buffer_table
                  AND k.relnamespace = 'pgtrickle_changes'::regnamespace LOOP
        BEGIN
            EXECUTE format('ALTER TABLE %s SET UNLOGGED', r.buffer);
            EXECUTE format('ALTER TABLE %s ALTER COLUMN __pgt_seq SET CACHE 1000', r.buffer);
        EXCEPTION WHEN insufficient_privilege THEN
            NULL;
        END;
    END LOOP;
END
$upgrade$;
INSERT INTO pgtrickle.pgt_buffer_epochs (source_relid, epoch)
SELECT source_relid::oid, pg_catalog.pg_current_xact_id() FROM pgtrickle.pgt_change_buffers;
UPDATE pgtrickle.pgt_dependencies d SET buffer_epoch = e.epoch
FROM pgtrickle.pgt_buffer_epochs e WHERE e.source_relid = d.source_relid::oid;
