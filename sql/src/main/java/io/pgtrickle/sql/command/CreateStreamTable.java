package io.pgtrickle.sql.command;

/**
 * create_stream_table / create_stream_table_if_not_exists / create_or_replace_stream_table.
 * {@code schedule} is the validated text ('calculated', a duration or a cron expression);
 * nullable fields are settings the user left at NULL.
 */
public record CreateStreamTable(
        QualifiedName name,
        String query,
        Schedule schedule,
        RefreshMode refreshMode,
        boolean initialize,
        String diamondConsistency,
        String diamondSchedulePolicy,
        String cdcMode,
        boolean appendOnly,
        OnExisting onExisting) implements Command {

    @Override
    public String functionName() {
        return switch (onExisting) {
            case ERROR -> "create_stream_table";
            case SKIP -> "create_stream_table_if_not_exists";
            case REPLACE -> "create_or_replace_stream_table";
        };
    }
}
