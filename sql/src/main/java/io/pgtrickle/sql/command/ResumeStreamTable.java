package io.pgtrickle.sql.command;

/** resume_stream_table(name): clears the error count and sets ACTIVE. */
public record ResumeStreamTable(QualifiedName name) implements Command {
    @Override
    public String functionName() {
        return "resume_stream_table";
    }
}
