package io.pgtrickle.sql.lex;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A PostgreSQL lexer that cuts any text into tokens covering every character, in order, without gaps.
 * It never throws: garbage becomes {@link TokenKind#OTHER} tokens, and a string, quoted identifier or
 * comment that is never closed becomes one token running to the end of the input, flagged
 * {@linkplain Token#unterminated() unterminated}.
 *
 * <p>It follows the server's scanner (scan.l) where it matters for finding statement boundaries and
 * reading literals: {@code ''} doubling and continuation lines, {@code E''}, {@code U&''},
 * {@code B''}/{@code X''}, {@code N''}, dollar quoting ({@code $1} is a parameter, not a tag), quoted
 * identifiers, nested block comments, and operators (with the rule that a multi-character operator
 * never ends in {@code +} or {@code -} unless it contains one of {@code ~!@#%^&|`?}).
 * {@code standard_conforming_strings = on} is assumed (the default since PostgreSQL 9.1).
 *
 * <p>In JDBC mode a {@code ?} is a placeholder ({@link TokenKind#JDBC_PARAMETER}), as in pgjdbc,
 * except {@code ??}, which is an escaped {@code ?} and stays part of an operator.
 */
public final class Lexer {
    private static final String OPERATOR_CHARS = "+-*/<>=~!@#%^&|`?";
    private static final String NON_MATH_OPERATOR_CHARS = "~!@#%^&|`?";

    private final String s;
    private final int n;
    private final boolean jdbc;
    private int pos;

    private Lexer(String s, boolean jdbc) {
        this.s = s;
        this.n = s.length();
        this.jdbc = jdbc;
    }

    /** Tokens of {@code sql} with native ({@code $1}) parameters; {@code ?} is an operator character. */
    public static List<Token> tokenize(String sql) {
        return tokenize(sql, false);
    }

    /** Tokens of {@code sql}; with {@code jdbcPlaceholders} a lone {@code ?} is a parameter. */
    public static List<Token> tokenize(String sql, boolean jdbcPlaceholders) {
        Lexer lexer = new Lexer(sql, jdbcPlaceholders);
        List<Token> tokens = new ArrayList<>();
        while (lexer.pos < lexer.n) {
            tokens.add(lexer.next());
        }
        return Collections.unmodifiableList(tokens);
    }

    /** Tokens of {@code sql} without whitespace and comments. */
    public static List<Token> significantTokens(String sql, boolean jdbcPlaceholders) {
        List<Token> out = new ArrayList<>();
        for (Token t : tokenize(sql, jdbcPlaceholders)) {
            if (!t.kind().isTrivia()) {
                out.add(t);
            }
        }
        return Collections.unmodifiableList(out);
    }

    private Token next() {
        int start = pos;
        char c = s.charAt(pos);
        char c1 = peek(1);
        if (isSpace(c)) {
            while (pos < n && isSpace(s.charAt(pos))) {
                pos++;
            }
            return token(TokenKind.WHITESPACE, start, false);
        }
        if (c == '-' && c1 == '-') {
            while (pos < n && s.charAt(pos) != '\n' && s.charAt(pos) != '\r') {
                pos++;
            }
            return token(TokenKind.LINE_COMMENT, start, false);
        }
        if (c == '/' && c1 == '*') {
            return blockComment(start);
        }
        if (c == '\'') {
            return quotedString(start, TokenKind.STRING, pos + 1, false);
        }
        if (c == '"') {
            return quotedIdentifier(start, pos + 1);
        }
        if (c1 == '\'') {
            switch (c) {
                case 'e', 'E' -> {
                    return quotedString(start, TokenKind.ESCAPE_STRING, pos + 2, true);
                }
                case 'b', 'B', 'x', 'X' -> {
                    return quotedString(start, TokenKind.BIT_STRING, pos + 2, false);
                }
                case 'n', 'N' -> {
                    return quotedString(start, TokenKind.STRING, pos + 2, false);
                }
                default -> { }
            }
        }
        if ((c == 'u' || c == 'U') && c1 == '&') {
            if (peek(2) == '\'') {
                return quotedString(start, TokenKind.UNICODE_STRING, pos + 3, false);
            }
            if (peek(2) == '"') {
                return quotedIdentifier(start, pos + 3);
            }
        }
        if (isIdentifierStart(c)) {
            pos++;
            while (pos < n && isIdentifierPart(s.charAt(pos))) {
                pos++;
            }
            return token(TokenKind.IDENTIFIER, start, false);
        }
        if (c == '$') {
            return dollar(start);
        }
        if (isDigit(c) || (c == '.' && isDigit(c1))) {
            return number(start);
        }
        TokenKind single = switch (c) {
            case ';' -> TokenKind.SEMICOLON;
            case '(' -> TokenKind.LEFT_PAREN;
            case ')' -> TokenKind.RIGHT_PAREN;
            case '[' -> TokenKind.LEFT_BRACKET;
            case ']' -> TokenKind.RIGHT_BRACKET;
            case '{' -> TokenKind.LEFT_BRACE;
            case '}' -> TokenKind.RIGHT_BRACE;
            case ',' -> TokenKind.COMMA;
            case '.' -> TokenKind.DOT;
            default -> null;
        };
        if (single != null) {
            pos++;
            return token(single, start, false);
        }
        if (c == ':') {
            pos += (c1 == ':' || c1 == '=') ? 2 : 1;
            TokenKind k = c1 == ':' ? TokenKind.CAST : c1 == '=' ? TokenKind.COLON_EQUALS : TokenKind.COLON;
            return token(k, start, false);
        }
        if (OPERATOR_CHARS.indexOf(c) >= 0) {
            return operator(start);
        }
        pos += Character.isHighSurrogate(c) && Character.isLowSurrogate(c1) ? 2 : 1;
        return token(TokenKind.OTHER, start, false);
    }

    private Token blockComment(int start) {
        int depth = 0;
        int i = start;
        while (i < n) {
            char c = s.charAt(i);
            char c1 = i + 1 < n ? s.charAt(i + 1) : '\0';
            if (c == '/' && c1 == '*') {
                depth++;
                i += 2;
            } else if (c == '*' && c1 == '/') {
                depth--;
                i += 2;
                if (depth == 0) {
                    pos = i;
                    return token(TokenKind.BLOCK_COMMENT, start, false);
                }
            } else {
                i++;
            }
        }
        pos = n;
        return token(TokenKind.BLOCK_COMMENT, start, true);
    }

    /** A single-quoted body from {@code bodyStart}; {@code backslash}: E'' rules. Follows continuations. */
    private Token quotedString(int start, TokenKind kind, int bodyStart, boolean backslash) {
        int i = bodyStart;
        while (i < n) {
            char c = s.charAt(i);
            if (backslash && c == '\\') {
                i += 2;
            } else if (c == '\'') {
                if (i + 1 < n && s.charAt(i + 1) == '\'') {
                    i += 2;
                    continue;
                }
                int next = continuation(i + 1);
                if (next < 0) {
                    pos = i + 1;
                    return token(kind, start, false);
                }
                i = next + 1;
            } else {
                i++;
            }
        }
        pos = n;
        return token(kind, start, true);
    }

    /**
     * After a closing quote at {@code from - 1}: the index of the opening quote of a continuation
     * segment ({@code 'a'} newline {@code 'b'} means {@code 'ab'}), or -1. Whitespace between the two must
     * contain a newline; {@code --} comments may appear in it.
     */
    int continuation(int from) {
        int i = from;
        boolean newline = false;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r') {
                newline = true;
                i++;
            } else if (isSpace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                while (i < n && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
                    i++;
                }
            } else {
                break;
            }
        }
        return newline && i < n && s.charAt(i) == '\'' ? i : -1;
    }

    private Token quotedIdentifier(int start, int bodyStart) {
        int i = bodyStart;
        while (i < n) {
            if (s.charAt(i) == '"') {
                if (i + 1 < n && s.charAt(i + 1) == '"') {
                    i += 2;
                    continue;
                }
                pos = i + 1;
                return token(TokenKind.QUOTED_IDENTIFIER, start, false);
            }
            i++;
        }
        pos = n;
        return token(TokenKind.QUOTED_IDENTIFIER, start, true);
    }

    /** At a {@code $}: a parameter {@code $1}, a dollar-quoted string, or a lone {@code $}. */
    private Token dollar(int start) {
        int i = start + 1;
        if (i < n && isDigit(s.charAt(i))) {
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            pos = i;
            return token(TokenKind.PARAMETER, start, false);
        }
        if (i < n && isIdentifierStart(s.charAt(i))) {
            while (i < n && isIdentifierStart(s.charAt(i)) || i < n && isDigit(s.charAt(i))) {
                i++;
            }
        }
        if (i >= n || s.charAt(i) != '$') {
            pos = start + 1;
            return token(TokenKind.OTHER, start, false);
        }
        String tag = s.substring(start, i + 1);
        int close = s.indexOf(tag, i + 1);
        if (close < 0) {
            pos = n;
            return token(TokenKind.DOLLAR_STRING, start, true);
        }
        pos = close + tag.length();
        return token(TokenKind.DOLLAR_STRING, start, false);
    }

    private Token number(int start) {
        int i = start;
        char c1 = peek(1);
        if (s.charAt(i) == '0' && "xXoObB".indexOf(c1) >= 0 && start + 2 < n && isHexDigit(s.charAt(start + 2))) {
            i += 2;
            while (i < n && (isHexDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                i++;
            }
            pos = i;
            return token(TokenKind.NUMBER, start, false);
        }
        i = digits(i);
        if (i < n && s.charAt(i) == '.' && !(i + 1 < n && s.charAt(i + 1) == '.')) {
            i = digits(i + 1);
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < n && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
                j++;
            }
            if (j < n && isDigit(s.charAt(j))) {
                i = digits(j);
            }
        }
        pos = i;
        return token(TokenKind.NUMBER, start, false);
    }

    private int digits(int from) {
        int i = from;
        while (i < n && (isDigit(s.charAt(i)) || s.charAt(i) == '_' && i + 1 < n && isDigit(s.charAt(i + 1)))) {
            i++;
        }
        return i;
    }

    private Token operator(int start) {
        int i = start;
        while (i < n && OPERATOR_CHARS.indexOf(s.charAt(i)) >= 0) {
            char c = s.charAt(i);
            char c1 = i + 1 < n ? s.charAt(i + 1) : '\0';
            if (i > start && (c == '-' && c1 == '-' || c == '/' && c1 == '*')) {
                break;
            }
            if (jdbc && c == '?') {
                if (c1 != '?') {
                    break;
                }
                i += 2;
                continue;
            }
            i++;
        }
        if (i == start) {
            pos = start + 1;
            return token(TokenKind.JDBC_PARAMETER, start, false);
        }
        String op = s.substring(start, i);
        if (op.length() > 1 && !containsAny(op, NON_MATH_OPERATOR_CHARS)) {
            while (i - start > 1 && (s.charAt(i - 1) == '+' || s.charAt(i - 1) == '-')) {
                i--;
            }
        }
        pos = i;
        boolean arrow = i - start == 2 && s.startsWith("=>", start);
        return token(arrow ? TokenKind.ARROW : TokenKind.OPERATOR, start, false);
    }

    private Token token(TokenKind kind, int start, boolean unterminated) {
        return new Token(kind, s, start, pos, unterminated);
    }

    private char peek(int ahead) {
        return pos + ahead < n ? s.charAt(pos + ahead) : '\0';
    }

    private static boolean containsAny(String text, String chars) {
        for (int i = 0; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** PostgreSQL's whitespace: space, tab, newline, carriage return, form feed, vertical tab. */
    public static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    /** First character of an unquoted identifier: ASCII letter, underscore, or any non-ASCII character. */
    public static boolean isIdentifierStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80;
    }

    /** Later characters of an unquoted identifier: also digits and {@code $}. */
    public static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || isDigit(c) || c == '$';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHexDigit(char c) {
        return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}
