package io.pgtrickle.sql.recognize;

import io.pgtrickle.sql.lex.Lexer;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether one statement is a call of a {@link PgTrickleFunction} the front doors execute
 * themselves, and reads its arguments.
 *
 * <p>Recognised shapes (keywords in any case, whitespace and comments anywhere between tokens, optional
 * trailing semicolons):
 * <ul>
 *   <li>{@code SELECT pgtrickle.f(args) [[AS] alias]}</li>
 *   <li>{@code SELECT * FROM pgtrickle.f(args) [[AS] alias]}</li>
 *   <li>{@code CALL pgtrickle.f(args)}</li>
 *   <li>JDBC style only: {@code {call pgtrickle.f(args)}} ({@code {? = call ...}} is not ours)</li>
 * </ul>
 * The schema must be written ({@code pgtrickle}, or {@code "pgtrickle"} exactly): an unqualified call
 * depends on search_path and is left to PostgreSQL. Arguments are positional, named ({@code =>} or
 * {@code :=}) or mixed; each is a string literal of any kind, a number, TRUE/FALSE, NULL or a parameter,
 * optionally cast ({@code ::type}, {@code CAST(x AS type)}). Anything else (another function, extra
 * select items, a WHERE clause, an expression argument, an unterminated string, several statements) is
 * "not ours": the result is empty and the statement goes to PostgreSQL unchanged.
 *
 * <p>{@code standard_conforming_strings = on} is assumed, as everywhere in this project.
 */
public final class Recognizer {
    private static final String SCHEMA = "pgtrickle";

    private Recognizer() {
    }

    /**
     * A cheap first test, before any lexing: false when the text cannot hold a call because the
     * schema name does not occur in it at all (the common case for an application's own SQL).
     */
    public static boolean mayContainCall(String sql) {
        int last = sql.length() - SCHEMA.length();
        for (int i = 0; i <= last; i++) {
            if (sql.regionMatches(true, i, SCHEMA, 0, SCHEMA.length())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The call {@code statement} makes, or empty when it is not ours.
     *
     * @throws io.pgtrickle.sql.error.PgTrickleException 42601 when the statement is one of our calls but
     *     breaks PostgreSQL's argument notation rules (a positional argument after a named one, a name
     *     used twice), exactly where PostgreSQL would raise it
     */
    public static Optional<Call> recognize(String statement, ParameterStyle style) {
        if (!mayContainCall(statement)) {
            return Optional.empty();
        }
        List<Token> tokens = new ArrayList<>();
        for (Token t : Lexer.tokenize(statement, style == ParameterStyle.JDBC)) {
            if (t.unterminated()) {
                return Optional.empty();
            }
            if (!t.kind().isTrivia()) {
                tokens.add(t);
            }
        }
        while (!tokens.isEmpty() && tokens.get(tokens.size() - 1).is(TokenKind.SEMICOLON)) {
            tokens.remove(tokens.size() - 1);
        }
        return CallParser.parse(tokens, style);
    }
}
