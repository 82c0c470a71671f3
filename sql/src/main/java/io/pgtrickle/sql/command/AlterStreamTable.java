package io.pgtrickle.sql.command;

/** alter_stream_table: every null field means "unchanged". */
public record AlterStreamTable(
        QualifiedName name,
        String query,
        Schedule schedule,
        RefreshMode refreshMode,
        Status status,
        String diamondConsistency,
        String diamondSchedulePolicy) implements Command {

    @Override
    public String functionName() {
        return "alter_stream_table";
    }
}
