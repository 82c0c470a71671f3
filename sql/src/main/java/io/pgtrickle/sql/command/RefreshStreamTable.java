package io.pgtrickle.sql.command;

/** refresh_stream_table(name): a synchronous refresh, recorded as MANUAL. */
public record RefreshStreamTable(QualifiedName name) implements Command {
    @Override
    public String functionName() {
        return "refresh_stream_table";
    }
}
