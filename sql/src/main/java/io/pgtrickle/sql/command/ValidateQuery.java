package io.pgtrickle.sql.command;

/**
 * validate_query(query): whether a defining query would work and how it would be maintained, as rows of
 * (check, result, severity); creates nothing.
 */
public record ValidateQuery(String query) implements Command {
    @Override
    public String functionName() {
        return "validate_query";
    }
}
