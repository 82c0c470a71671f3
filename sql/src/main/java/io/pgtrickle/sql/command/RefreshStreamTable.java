package io.pgtrickle.sql.command;

/**
 * refresh_stream_table(name): a synchronous refresh, recorded as MANUAL; the scheduler's refreshes
 * ({@code scheduled}) take the same path and are recorded as SCHEDULER.
 */
public record RefreshStreamTable(QualifiedName name, boolean scheduled) implements Command {

    /** The user's call. */
    public RefreshStreamTable(QualifiedName name) {
        this(name, false);
    }

    @Override
    public String functionName() {
        return "refresh_stream_table";
    }
}
