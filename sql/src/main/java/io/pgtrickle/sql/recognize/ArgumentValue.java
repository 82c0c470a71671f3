package io.pgtrickle.sql.recognize;

/** The value written for one argument: a literal, NULL, or a bind parameter. */
public sealed interface ArgumentValue permits ArgumentValue.Literal, ArgumentValue.Null, ArgumentValue.Parameter {

    /**
     * A constant, as text: a decoded string literal, a number as written, {@code true}/{@code false}
     * for the keywords TRUE/FALSE.
     */
    record Literal(String text) implements ArgumentValue {
        public Literal {
            if (text == null) {
                throw new IllegalArgumentException("literal text must not be null; use Null");
            }
        }
    }

    /** SQL NULL written as the keyword. */
    record Null() implements ArgumentValue {
    }

    /** A bind parameter, numbered from 1 ({@code $1}, or the n-th JDBC {@code ?}). */
    record Parameter(int index) implements ArgumentValue {
        public Parameter {
            if (index < 1) {
                throw new IllegalArgumentException("parameter index must be at least 1");
            }
        }
    }
}
