package io.pgtrickle.sql.command;

/** Life-cycle state of a stream table (../shared/API.md "Status"). */
public enum Status {
    INITIALIZING, ACTIVE, SUSPENDED, ERROR
}
