package io.pgtrickle.planner.tree;

import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * The defining query's text, and the text of a parse-tree node cut out of it by the parser's position
 * (lines and columns, 1-based, end inclusive). Calcite's position of an expression leaves out
 * parentheses around its first or last operand ({@code (a + b) * 2} starts at {@code a}), so a cut is
 * widened until its parentheses balance.
 */
final class SourceText {
    private final String text;
    private final int[] lineStarts;

    SourceText(String text) {
        this.text = text;
        int lines = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines++;
            }
        }
        lineStarts = new int[lines];
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lineStarts[line++] = i + 1;
            }
        }
    }

    /** The text of the node at {@code pos}, parentheses balanced. */
    String cut(SqlParserPos pos) {
        int[] range = stripped(pos);
        return text.substring(range[0], range[1]);
    }

    /** The offsets of {@link #cut}'s text: {@link #range} without the white space at either end. */
    int[] stripped(SqlParserPos pos) {
        int[] range = range(pos);
        int start = range[0];
        int end = range[1];
        while (start < end && Character.isWhitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return new int[] {start, end};
    }

    /** The start and (exclusive) end offsets of the node at {@code pos}, parentheses balanced. */
    int[] range(SqlParserPos pos) {
        int start = lineStarts[pos.getLineNum() - 1] + pos.getColumnNum() - 1;
        int end = lineStarts[pos.getEndLineNum() - 1] + pos.getEndColumnNum(); // exclusive
        while (true) {
            int depth = depth(start, end);
            if (depth < 0 && start > 0) { // a ')' without its '(': take in the '(' before
                start = text.lastIndexOf('(', start - 1);
                if (start < 0) {
                    throw new IllegalStateException("unbalanced expression in the query text");
                }
            } else if (depth > 0) { // a '(' without its ')'
                int close = text.indexOf(')', end);
                if (close < 0) {
                    throw new IllegalStateException("unbalanced expression in the query text");
                }
                end = close + 1;
            } else {
                return new int[] {start, end};
            }
        }
    }

    /** Open parentheses minus closed ones in [start, end), outside quotes; negative as soon as one closes too many. */
    private int depth(int start, int end) {
        int depth = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"') {
                int close = text.indexOf(c, i + 1);
                i = close < 0 ? end : close;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (--depth < 0) {
                    return -1;
                }
            }
        }
        return depth;
    }
}
