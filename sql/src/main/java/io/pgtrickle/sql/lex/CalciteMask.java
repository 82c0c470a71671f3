package io.pgtrickle.sql.lex;

import java.util.Map;

/**
 * Hides the PostgreSQL operators Calcite's parser does not know behind ones it does, of the same
 * length, so that the planner can read the query's shape while every position still points into the
 * user's own text: the expressions the planner keeps are cut from the unmasked text and say exactly
 * what the user wrote. The jsonb operators ({@code ->}, {@code ->>}, {@code #>}, {@code #>>}) become
 * {@code ||}, which has the same place among PostgreSQL's operators (all "other" operators, left
 * associative, above comparisons); the boolean ones ({@code ?}, {@code ?|}, {@code ?&}, {@code @>},
 * {@code <@}, {@code @@}, {@code @?}, and {@code ~~}, {@code ~~*}, {@code !~~}, {@code !~~*}, which are LIKE and
 * ILIKE as a view's printed definition spells them) become the comparisons {@code =} and {@code <>}. The masked text
 * is only ever parsed, never run.
 */
public final class CalciteMask {
    private static final Map<String, String> MASKS = Map.ofEntries(
            Map.entry("->", "||"), Map.entry("->>", "|| "), Map.entry("#>", "||"), Map.entry("#>>", "|| "),
            Map.entry("?", "="), Map.entry("?|", "<>"), Map.entry("?&", "<>"), Map.entry("@>", "<>"),
            Map.entry("<@", "<>"), Map.entry("@@", "<>"), Map.entry("@?", "<>"),
            // LIKE and ILIKE as PostgreSQL prints them in a view's definition
            Map.entry("~~", "<>"), Map.entry("~~*", "<> "), Map.entry("!~~", "<> "), Map.entry("!~~*", "<>  "));

    private CalciteMask() {
    }

    /** The query with those operators replaced, strings, quoted names and comments untouched; same length. */
    public static String mask(String sql) {
        StringBuilder out = null;
        for (Token t : Lexer.tokenize(sql)) {
            if (t.is(TokenKind.OPERATOR)) {
                String mask = MASKS.get(t.text());
                if (mask != null) {
                    if (out == null) {
                        out = new StringBuilder(sql);
                    }
                    out.replace(t.start(), t.end(), mask);
                }
            }
        }
        return out == null ? sql : out.toString();
    }
}
