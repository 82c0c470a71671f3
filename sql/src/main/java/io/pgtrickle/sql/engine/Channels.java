package io.pgtrickle.sql.engine;

/** The NOTIFY channels pgtrickle uses (docs/sql-reference.md). */
public final class Channels {
    /** Capture notifies it at the writer's commit; the payload is the change buffer's table name. */
    public static final String CHANGES = "pgtrickle_changes";
    /** Failed refreshes and suspensions, with a JSON payload (../shared/API.md "Status"). */
    public static final String ALERT = "pgtrickle_alert";

    private Channels() {
    }
}
