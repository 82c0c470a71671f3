package io.pgtrickle.sql.lex;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** PostgreSQL's interval text of one quantity and unit: {@code '90 days'}, {@code '1 year'}, {@code '-3 mons'}. */
    private static final Pattern INTERVAL = Pattern.compile(
            "'\\s*([+-]?[0-9]+)\\s*(year|month|mon|week|day|hour|minute|min|second|sec)s?\\s*'", Pattern.CASE_INSENSITIVE);

    /**
     * The query with those operators replaced, strings, quoted names and comments untouched; same length.
     * An interval literal of one quantity, {@code interval '90 days'}, becomes SQL's {@code interval '90'  DAY}
     * (padded before the unit), which Calcite parses; weeks as days.
     */
    public static String mask(String sql) {
        StringBuilder out = null;
        Token previous = null;
        for (Token t : Lexer.tokenize(sql)) {
            String mask = null;
            if (t.is(TokenKind.OPERATOR)) {
                mask = MASKS.get(t.text());
            } else if (t.is(TokenKind.STRING) && previous != null && previous.is(TokenKind.IDENTIFIER)
                    && previous.text().equalsIgnoreCase("interval")) {
                mask = interval(t.text());
            }
            if (mask != null) {
                if (out == null) {
                    out = new StringBuilder(sql);
                }
                out.replace(t.start(), t.end(), mask);
            }
            if (t.kind() != TokenKind.WHITESPACE && t.kind() != TokenKind.LINE_COMMENT && t.kind() != TokenKind.BLOCK_COMMENT) {
                previous = t;
            }
        }
        return out == null ? sql : out.toString();
    }

    /** {@code '90 days'} as {@code '90'  DAY}, of the literal's length, or null for any other interval text. */
    private static String interval(String literal) {
        Matcher m = INTERVAL.matcher(literal);
        if (!m.matches()) {
            return null;
        }
        String quantity = m.group(1);
        String unit = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "mon" -> "MONTH";
            case "min" -> "MINUTE";
            case "sec" -> "SECOND";
            case "week" -> "DAY";
            default -> m.group(2).toUpperCase(java.util.Locale.ROOT);
        };
        if (m.group(2).equalsIgnoreCase("week")) {
            quantity = String.valueOf(Long.parseLong(quantity.replace("+", "")) * 7);
        }
        // the padding before the unit, so that the unit ends where the literal did: a span Calcite reports
        // ends at the same place in the user's text
        int pad = literal.length() - quantity.length() - 2 - unit.length();
        return pad < 1 ? null : "'" + quantity + "'" + " ".repeat(pad) + unit;
    }
}
