package io.pgtrickle.sql.command;

/** What create does when a stream table of that name exists: the three create_* functions. */
public enum OnExisting {
    /** create_stream_table: error 42P07. */
    ERROR,
    /** create_stream_table_if_not_exists: NOTICE and nothing else. */
    SKIP,
    /** create_or_replace_stream_table: bring the existing one to the new definition. */
    REPLACE
}
