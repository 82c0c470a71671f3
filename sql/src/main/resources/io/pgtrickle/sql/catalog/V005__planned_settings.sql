-- pgtrickle catalog, version 5: the settings a DIFFERENTIAL stream table's rows are computed under.
--
-- A differential refresh recomputes some rows and keeps the others; rows computed under different
-- TimeZone, DateStyle, ... settings would disagree (ts::date, to_char). The settings in effect when the
-- stream table was planned are kept as name/value pairs and set for every refresh, FULL included.
ALTER TABLE pgtrickle.pgt_stream_tables ADD COLUMN planned_settings text[];
COMMENT ON COLUMN pgtrickle.pgt_stream_tables.planned_settings IS
    'DIFFERENTIAL: the settings (name, value, name, value, ...) populate_query and delta_sql run with';
