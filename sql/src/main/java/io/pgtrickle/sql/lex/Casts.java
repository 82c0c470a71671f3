package io.pgtrickle.sql.lex;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Puts parentheses around every {@code operand::type} of a query, so that a parser that binds
 * {@code ::} to the whole expression on its left (Calcite's Babel parser: {@code price * 1.4::int}
 * becomes {@code CAST(price * 1.4 AS INT)}, CALCITE_NOTES.md) reads what PostgreSQL reads:
 * {@code price * (1.4::int)}. PostgreSQL's {@code ::} binds to the primary before it: a literal, a
 * (qualified) name or parameter, a function call, a parenthesised expression, each with optional array
 * subscripts, or an earlier cast ({@code x::int::text} becomes {@code ((x::int)::text)}). The result
 * means the same to PostgreSQL; strings, quoted names and comments are left as they are.
 */
public final class Casts {
    /** Words before a {@code (} that start a clause or an operator, not a function call. */
    private static final Set<String> NOT_FUNCTIONS = Set.of("between", "like", "ilike", "similar", "is", "join",
            "by", "over", "filter", "values", "set", "escape", "overlaps", "isnull", "notnull", "within");

    /** Reserved words that are values themselves ({@code NULL::int}, {@code current_date::text}). */
    private static final Set<String> VALUES = Set.of("null", "true", "false", "current_date", "current_time",
            "current_timestamp", "localtime", "localtimestamp", "current_user", "session_user", "user", "current_role",
            "current_catalog", "system_user");

    private Casts() {
    }

    /** The query with each cast parenthesised; unchanged when it has none or cannot be read safely. */
    public static String parenthesize(String sql) {
        List<Token> t = new ArrayList<>();
        for (Token token : Lexer.tokenize(sql)) {
            if (!token.kind().isTrivia()) {
                t.add(token);
            }
        }
        // where an expression ending at token i starts, for casts already wrapped
        Map<Integer, Integer> wrappedStart = new HashMap<>();
        TreeMap<Integer, String> inserts = new TreeMap<>(); // offset -> text, "(" before ")" kept in order
        Map<Integer, Integer> opens = new HashMap<>();
        Map<Integer, Integer> closes = new HashMap<>();
        for (int i = 0; i < t.size(); i++) {
            if (!t.get(i).is(TokenKind.CAST)) {
                continue;
            }
            int first = operandStart(t, i - 1, wrappedStart);
            int last = typeEnd(t, i + 1);
            if (first < 0 || last < 0) {
                return sql; // not a shape we can read safely: leave the query as written
            }
            wrappedStart.put(last, first);
            opens.merge(t.get(first).start(), 1, Integer::sum);
            closes.merge(t.get(last).end(), 1, Integer::sum);
        }
        if (opens.isEmpty()) {
            return sql;
        }
        for (Map.Entry<Integer, Integer> e : closes.entrySet()) {
            inserts.merge(e.getKey(), ")".repeat(e.getValue()), String::concat);
        }
        for (Map.Entry<Integer, Integer> e : opens.entrySet()) {
            inserts.merge(e.getKey(), "(".repeat(e.getValue()), (closing, opening) -> closing + opening);
        }
        StringBuilder out = new StringBuilder(sql.length() + 2 * opens.size());
        int at = 0;
        for (Map.Entry<Integer, String> e : inserts.entrySet()) {
            out.append(sql, at, e.getKey()).append(e.getValue());
            at = e.getKey();
        }
        return out.append(sql.substring(at)).toString();
    }

    /** Index of the first token of the primary that ends at token {@code i}, or -1. */
    private static int operandStart(List<Token> t, int i, Map<Integer, Integer> wrappedStart) {
        if (i < 0) {
            return -1;
        }
        if (wrappedStart.containsKey(i)) {
            return wrappedStart.get(i);
        }
        Token end = t.get(i);
        int start;
        if (end.is(TokenKind.RIGHT_BRACKET)) { // subscripts: a[1], f(x)[2], ARRAY[1, 2]
            int open = match(t, i, TokenKind.LEFT_BRACKET, TokenKind.RIGHT_BRACKET);
            if (open < 1) {
                return -1;
            }
            if (t.get(open - 1).isKeyword("array")) {
                return open - 1;
            }
            return operandStart(t, open - 1, wrappedStart);
        }
        if (end.is(TokenKind.RIGHT_PAREN)) {
            int open = match(t, i, TokenKind.LEFT_PAREN, TokenKind.RIGHT_PAREN);
            if (open < 0) {
                return -1;
            }
            start = open;
            if (open > 0 && isFunctionName(t.get(open - 1))) {
                start = qualifiedStart(t, open - 1);
            }
            return start;
        }
        if (end.kind().isString() || end.is(TokenKind.NUMBER) || end.is(TokenKind.PARAMETER)
                || end.is(TokenKind.JDBC_PARAMETER)) {
            return i;
        }
        if (end.is(TokenKind.QUOTED_IDENTIFIER)
                || end.is(TokenKind.IDENTIFIER) && (!Keywords.RESERVED.contains(end.folded()) || VALUES.contains(end.folded()))) {
            return qualifiedStart(t, i);
        }
        return -1;
    }

    private static boolean isFunctionName(Token name) {
        if (name.is(TokenKind.QUOTED_IDENTIFIER)) {
            return true;
        }
        if (!name.is(TokenKind.IDENTIFIER)) {
            return false;
        }
        String word = name.folded();
        return !Keywords.RESERVED.contains(word) && !NOT_FUNCTIONS.contains(word);
    }

    /** The first token of a dotted name ending at {@code i} ({@code s.t.col}, {@code "S".f}). */
    private static int qualifiedStart(List<Token> t, int i) {
        int start = i;
        while (start >= 2 && t.get(start - 1).is(TokenKind.DOT)
                && (t.get(start - 2).is(TokenKind.IDENTIFIER) || t.get(start - 2).is(TokenKind.QUOTED_IDENTIFIER))) {
            start -= 2;
        }
        return start;
    }

    private static int match(List<Token> t, int close, TokenKind open, TokenKind closing) {
        int depth = 0;
        for (int j = close; j >= 0; j--) {
            if (t.get(j).is(closing)) {
                depth++;
            } else if (t.get(j).is(open) && --depth == 0) {
                return j;
            }
        }
        return -1;
    }

    /** Index of the last token of the type name that starts at token {@code i}, or -1. */
    private static int typeEnd(List<Token> t, int i) {
        if (i >= t.size() || !(t.get(i).is(TokenKind.IDENTIFIER) || t.get(i).is(TokenKind.QUOTED_IDENTIFIER))
                || t.get(i).is(TokenKind.IDENTIFIER) && Keywords.RESERVED.contains(t.get(i).folded())) {
            return -1;
        }
        int end = i;
        while (end + 2 < t.size() && t.get(end + 1).is(TokenKind.DOT)
                && (t.get(end + 2).is(TokenKind.IDENTIFIER) || t.get(end + 2).is(TokenKind.QUOTED_IDENTIFIER))) {
            end += 2;
        }
        String word = t.get(end).is(TokenKind.IDENTIFIER) ? t.get(end).folded() : "";
        if (word.equals("double") && next(t, end, "precision")) {
            end++;
        } else if ((word.equals("character") || word.equals("char") || word.equals("bit") || word.equals("national"))
                && next(t, end, "varying")) {
            end++;
        } else if ((word.equals("timestamp") || word.equals("time")) && (next(t, end, "with") || next(t, end, "without"))
                && end + 3 < t.size() && t.get(end + 2).isKeyword("time") && t.get(end + 3).isKeyword("zone")) {
            end += 3;
        }
        if (end + 1 < t.size() && t.get(end + 1).is(TokenKind.LEFT_PAREN)) { // numeric(10, 2), varchar(20)
            end = indexOf(t, end + 1, TokenKind.RIGHT_PAREN);
            if (end < 0) {
                return -1;
            }
        }
        if ((t.get(i).isKeyword("timestamp") || t.get(i).isKeyword("time")) && end == i + 3
                && (next(t, end, "with") || next(t, end, "without")) && end + 3 < t.size()
                && t.get(end + 2).isKeyword("time") && t.get(end + 3).isKeyword("zone")) {
            end += 3; // timestamp(3) with time zone
        }
        while (end + 2 < t.size() && t.get(end + 1).is(TokenKind.LEFT_BRACKET)) { // int[], int[3]
            end = indexOf(t, end + 1, TokenKind.RIGHT_BRACKET);
            if (end < 0) {
                return -1;
            }
        }
        return end;
    }

    /** The first token of {@code kind} at or after {@code from}, or -1. */
    private static int indexOf(List<Token> t, int from, TokenKind kind) {
        for (int j = from; j < t.size(); j++) {
            if (t.get(j).is(kind)) {
                return j;
            }
        }
        return -1;
    }

    private static boolean next(List<Token> t, int i, String keyword) {
        return i + 1 < t.size() && t.get(i + 1).isKeyword(keyword);
    }
}
