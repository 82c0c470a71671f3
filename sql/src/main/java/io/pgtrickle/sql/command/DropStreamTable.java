package io.pgtrickle.sql.command;

/** drop_stream_table(name, cascade => false). */
public record DropStreamTable(QualifiedName name, boolean cascade) implements Command {
    @Override
    public String functionName() {
        return "drop_stream_table";
    }
}
