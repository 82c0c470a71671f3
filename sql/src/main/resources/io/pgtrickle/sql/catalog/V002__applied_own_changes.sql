-- pgtrickle catalog, version 2: changes a refresh applied from its own transaction.
--
-- A transaction's own xid is never visible in its own snapshot, so the frontier a refresh stores does
-- not cover the changes the refreshing transaction itself made to a source, although the refresh
-- applied them. They are recorded here, per stream table and source, and later windows skip them.
ALTER TABLE pgtrickle.pgt_dependencies
    ADD COLUMN applied_xid xid8,
    ADD COLUMN applied_seq bigint;
COMMENT ON COLUMN pgtrickle.pgt_dependencies.applied_xid IS
    'transaction that refreshed this stream table after changing this source itself (see applied_seq)';
COMMENT ON COLUMN pgtrickle.pgt_dependencies.applied_seq IS
    'buffer rows of applied_xid up to this sequence number have been applied';
