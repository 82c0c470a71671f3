package io.pgtrickle.sql.command;

/** How a stream table is kept fresh (../shared/API.md "Refresh modes"). */
public enum RefreshMode {
    FULL, DIFFERENTIAL, IMMEDIATE, AUTO
}
