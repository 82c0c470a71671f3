package io.pgtrickle.sql.lex;

/**
 * One statement cut out of a larger text by {@link Statements}: its range {@code [start, end)} in that
 * text and the text itself (without the terminating {@code ;} and surrounding whitespace).
 */
public record Statement(int start, int end, String text) {
}
