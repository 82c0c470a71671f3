package io.pgtrickle.sql.engine;

import io.pgtrickle.sql.lex.Lexer;
import io.pgtrickle.sql.lex.Token;
import io.pgtrickle.sql.lex.TokenKind;
import io.pgtrickle.sql.session.Row;
import io.pgtrickle.sql.session.Session;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds what makes a defining query's result change without any change to its sources: a VOLATILE
 * function ({@code random()}, {@code clock_timestamp()}), or the current time ({@code now()},
 * {@code CURRENT_DATE}, the literals {@code 'now'} and {@code 'today'}, ...: STABLE in PostgreSQL, but a
 * delta computed at one time and a recompute at another disagree). A string literal 'now' that is never
 * cast to a date or time is refused too: erring toward FULL. Such a query cannot be maintained differentially. Function names are taken from the
 * query's tokens (a word before a parenthesis) and looked up in pg_proc by name: any function of that
 * name that is volatile counts, which errs toward FULL, never toward a wrong result.
 */
final class Volatility {
    /** The SQL keywords and functions that read the clock. */
    private static final Set<String> CLOCK = Set.of("now", "current_timestamp", "current_date", "current_time",
            "localtime", "localtimestamp", "transaction_timestamp", "statement_timestamp");
    private static final Set<String> CLOCK_KEYWORDS = Set.of("current_timestamp", "current_date", "current_time",
            "localtime", "localtimestamp");
    /** The special date/time input values that mean "now" ('now'::timestamptz, date 'today', ...). */
    private static final Set<String> CLOCK_LITERALS = Set.of("now", "today", "tomorrow", "yesterday");

    private Volatility() {
    }

    /** The construct that keeps the query from differential maintenance, e.g. {@code random()}; empty if none. */
    static Optional<String> construct(Session session, String query) throws SQLException {
        List<Token> tokens = Lexer.significantTokens(query, false);
        Set<String> functions = new LinkedHashSet<>();
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.is(TokenKind.STRING) && CLOCK_LITERALS.contains(
                    t.text().substring(1, t.text().length() - 1).strip().toLowerCase(java.util.Locale.ROOT))) {
                return Optional.of("the literal " + t.text() + " (read as the current time when cast to a date or time)");
            }
            boolean word = t.is(TokenKind.IDENTIFIER) || t.is(TokenKind.QUOTED_IDENTIFIER);
            if (!word) {
                continue;
            }
            String name = t.is(TokenKind.IDENTIFIER) ? t.folded() : unquote(t.text());
            boolean call = i + 1 < tokens.size() && tokens.get(i + 1).is(TokenKind.LEFT_PAREN);
            if (t.is(TokenKind.IDENTIFIER) && CLOCK_KEYWORDS.contains(name) && !call) {
                return Optional.of(name.toUpperCase(java.util.Locale.ROOT));
            }
            if (call) {
                if (CLOCK.contains(name)) {
                    return Optional.of(name + "()");
                }
                functions.add(name);
            }
        }
        if (functions.isEmpty()) {
            return Optional.empty();
        }
        List<Row> volatileOnes = session.query("SELECT DISTINCT p.proname FROM pg_catalog.pg_proc p "
                + "WHERE p.proname = ANY (?::name[]) AND p.provolatile = 'v' AND p.prokind IN ('f', 'w') ORDER BY 1",
                io.pgtrickle.sql.command.Identifiers.textArray(new ArrayList<>(functions)));
        return volatileOnes.isEmpty() ? Optional.empty() : Optional.of(volatileOnes.get(0).get("proname") + "()");
    }

    private static String unquote(String quoted) {
        return quoted.substring(1, quoted.length() - 1).replace("\"\"", "\"");
    }
}
