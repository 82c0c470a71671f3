package io.pgtrickle.sql.command;

/**
 * A recognised pgtrickle call with its arguments bound, defaulted and validated
 * (../shared/API.md). The engine executes commands; front doors only produce them.
 */
public sealed interface Command
        permits CreateStreamTable, AlterStreamTable, DropStreamTable, RefreshStreamTable, ResumeStreamTable,
        ValidateQuery {

    /** The SQL function this command came from, e.g. {@code create_stream_table}. */
    String functionName();
}
