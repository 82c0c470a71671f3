package io.pgtrickle.sql.lex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Splits a text that may hold several statements (a simple-query message, a script) at its top-level
 * semicolons: never inside strings, quoted identifiers, comments, dollar-quoted bodies or parentheses,
 * and never inside a {@code BEGIN ATOMIC ... END} body of {@code CREATE FUNCTION/PROCEDURE}
 * (where {@code CASE ... END} nests), as psql does.
 *
 * <p>Each statement is the original text from its first to its last non-whitespace character, without
 * the terminating {@code ;}. Pieces that hold only whitespace are dropped; a piece that holds only a
 * comment is kept (PostgreSQL answers it as an empty query), so no non-whitespace character other than
 * a splitting {@code ;} is ever lost.
 */
public final class Statements {
    private Statements() {
    }

    /** The statements of {@code sql}, in order. */
    public static List<String> split(String sql) {
        List<String> out = new ArrayList<>();
        for (Statement st : locate(sql)) {
            out.add(st.text());
        }
        return Collections.unmodifiableList(out);
    }

    /** The statements of {@code sql} with their positions in it. */
    public static List<Statement> locate(String sql) {
        List<Statement> out = new ArrayList<>();
        int parenDepth = 0;
        int atomicDepth = 0;
        int start = -1;
        int end = -1;
        Token first = null;
        Token previous = null;
        for (Token t : Lexer.tokenize(sql)) {
            if (t.is(TokenKind.SEMICOLON) && parenDepth == 0 && atomicDepth == 0) {
                if (start >= 0) {
                    out.add(new Statement(start, end, sql.substring(start, end)));
                }
                start = -1;
                first = null;
                previous = null;
                continue;
            }
            if (t.is(TokenKind.WHITESPACE)) {
                continue;
            }
            if (start < 0) {
                start = t.start();
            }
            end = t.end();
            if (t.kind().isTrivia()) {
                continue;
            }
            if (first == null) {
                first = t;
            }
            if (t.is(TokenKind.LEFT_PAREN)) {
                parenDepth++;
            } else if (t.is(TokenKind.RIGHT_PAREN)) {
                parenDepth = Math.max(0, parenDepth - 1);
            } else if (atomicDepth == 0) {
                if (t.isKeyword("atomic") && previous != null && previous.isKeyword("begin")
                        && first.isKeyword("create")) {
                    atomicDepth = 1;
                }
            } else if (t.isKeyword("case")) {
                atomicDepth++;
            } else if (t.isKeyword("end")) {
                atomicDepth--;
            }
            previous = t;
        }
        if (start >= 0) {
            out.add(new Statement(start, end, sql.substring(start, end)));
        }
        return Collections.unmodifiableList(out);
    }
}
