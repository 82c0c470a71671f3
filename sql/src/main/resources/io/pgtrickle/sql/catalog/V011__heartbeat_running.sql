-- pgtrickle catalog, version 11: the scheduler's heartbeat lists the stream tables whose refreshes it
-- has started and not finished, and when it wrote that list. A scheduler that takes over after its
-- predecessor died records each of them that never committed as an interrupted (FAILED) refresh.

ALTER TABLE pgtrickle.pgt_scheduler_heartbeat ADD COLUMN running bigint[], ADD COLUMN running_at timestamptz;
