package io.pgtrickle.sql.recognize;

/**
 * One argument of a recognised call.
 *
 * @param name the parameter name for named notation ({@code name => v}, {@code name := v}), folded as an
 *     identifier; null for a positional argument
 * @param value what was written
 * @param type the argument's type as PostgreSQL would report it in a "function does not exist" message:
 *     the last cast's type, else {@code unknown}, {@code integer}, {@code numeric} or {@code boolean}
 */
public record Argument(String name, ArgumentValue value, String type) {
    public boolean isNamed() {
        return name != null;
    }

    /** {@code type} or {@code name => type}, as PostgreSQL lists arguments in messages. */
    String describe() {
        return name == null ? type : name + " => " + type;
    }
}
