package io.pgtrickle.sql.lex;

/**
 * One token: a kind and a range {@code [start, end)} of the source text it was cut from.
 * Immutable. {@link #unterminated()} marks a string, quoted identifier or comment that ran to the end
 * of the input without being closed.
 */
public final class Token {
    private final TokenKind kind;
    private final String source;
    private final int start;
    private final int end;
    private final boolean unterminated;

    public Token(TokenKind kind, String source, int start, int end, boolean unterminated) {
        if (start < 0 || end < start || end > source.length()) {
            throw new IllegalArgumentException("bad token range " + start + ".." + end);
        }
        this.kind = kind;
        this.source = source;
        this.start = start;
        this.end = end;
        this.unterminated = unterminated;
    }

    public TokenKind kind() {
        return kind;
    }

    /** Offset of the first character in the source. */
    public int start() {
        return start;
    }

    /** Offset just past the last character in the source. */
    public int end() {
        return end;
    }

    /** True when a quoted token or comment was not closed before the end of the input. */
    public boolean unterminated() {
        return unterminated;
    }

    /** The source text the token was cut from. */
    public String source() {
        return source;
    }

    /** The token's text, exactly as written. */
    public String text() {
        return source.substring(start, end);
    }

    public boolean is(TokenKind k) {
        return kind == k;
    }

    /** An unquoted word equal to {@code keyword}, ignoring case. */
    public boolean isKeyword(String keyword) {
        return kind == TokenKind.IDENTIFIER && end - start == keyword.length()
                && source.regionMatches(true, start, keyword, 0, keyword.length());
    }

    /** For an unquoted word: its text folded as PostgreSQL folds identifiers (ASCII lower case). */
    public String folded() {
        return foldIdentifier(text());
    }

    /** PostgreSQL's downcasing of unquoted identifiers: ASCII letters only. */
    public static String foldIdentifier(String word) {
        StringBuilder b = new StringBuilder(word.length());
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return kind + "[" + start + "," + end + (unterminated ? ",unterminated" : "") + "]"
                + (end - start <= 40 ? text() : text().substring(0, 40) + "...");
    }
}
