package io.pgtrickle.sql.recognize;

import io.pgtrickle.sql.command.Command;
import java.util.List;

/**
 * A recognised call of a pgtrickle function, before its parameters are bound.
 *
 * @param function which function
 * @param arguments the arguments as written, in order
 * @param resultColumn the name PostgreSQL would give the result column: the alias if one was written,
 *     else the function name ({@code result} for a JDBC {@code {call}} escape, which pgjdbc runs as
 *     {@code select * from f(...) as result})
 * @param form how the call was written
 * @param parameterCount the highest parameter index used (0 when none)
 */
public record Call(PgTrickleFunction function, List<Argument> arguments, String resultColumn, CallForm form,
        int parameterCount) {

    public Call {
        arguments = List.copyOf(arguments);
    }

    /**
     * Binds parameter values, applies defaults and validates, giving the command to execute.
     * An explicit NULL for a parameter that has a default means the default (so
     * {@code schedule => NULL} is {@code 'calculated'} and {@code cascade => NULL} is false); for
     * alter_stream_table every default is NULL, meaning "unchanged".
     *
     * @param parameterValues the value of each parameter as text, null for SQL NULL; exactly
     *     {@link #parameterCount()} of them
     * @throws io.pgtrickle.sql.error.PgTrickleException 42883 when the arguments match no signature
     *     (unknown or repeated parameter, too many, a required one missing), 22023 for an invalid name,
     *     query, refresh mode, schedule or status, 22P02 for a value that is not a boolean
     * @throws IllegalArgumentException when the number of values is not {@link #parameterCount()}
     */
    public Command bind(List<String> parameterValues) {
        if (parameterValues.size() != parameterCount) {
            throw new IllegalArgumentException("expected " + parameterCount + " parameter values, got "
                    + parameterValues.size());
        }
        return CommandBinder.bind(this, parameterValues);
    }
}
