package io.pgtrickle.sql.lex;

/** The kinds of token {@link Lexer} produces. Every character of the input belongs to exactly one token. */
public enum TokenKind {
    /** Spaces, tabs, newlines (PostgreSQL's {@code [ \t\n\r\f\v]}). */
    WHITESPACE,
    /** {@code -- ...} up to (not including) the end of the line. */
    LINE_COMMENT,
    /** {@code /* ... *}{@code /}, nested comments included. */
    BLOCK_COMMENT,
    /** An unquoted word: a name or a keyword (may contain {@code $} after the first character). */
    IDENTIFIER,
    /** {@code "..."} with {@code ""} doubling, or {@code U&"..."}. */
    QUOTED_IDENTIFIER,
    /** {@code '...'} (also {@code N'...'}) with {@code ''} doubling; may span continuation lines. */
    STRING,
    /** {@code E'...'}: backslash escapes. */
    ESCAPE_STRING,
    /** {@code U&'...'}: Unicode escapes (an optional {@code UESCAPE 'c'} follows as separate tokens). */
    UNICODE_STRING,
    /** {@code B'0101'} or {@code X'1F'}. */
    BIT_STRING,
    /** {@code $$...$$} or {@code $tag$...$tag$}. */
    DOLLAR_STRING,
    /** Integer or decimal number (also {@code 0x..}, {@code 1_000}, {@code 1e5}). */
    NUMBER,
    /** A native positional parameter: {@code $1}. */
    PARAMETER,
    /** A JDBC placeholder {@code ?} (only when the lexer runs in JDBC mode). */
    JDBC_PARAMETER,
    /** Any other operator, e.g. {@code ||}, {@code <=}, {@code ?|}, {@code ??} (JDBC-escaped {@code ?}). */
    OPERATOR,
    /** {@code ::}. */
    CAST,
    /** {@code =>}. */
    ARROW,
    /** {@code :=}. */
    COLON_EQUALS,
    SEMICOLON,
    LEFT_PAREN,
    RIGHT_PAREN,
    LEFT_BRACKET,
    RIGHT_BRACKET,
    /** {@code {} (JDBC escapes). */
    LEFT_BRACE,
    /** {@code }} (JDBC escapes). */
    RIGHT_BRACE,
    COMMA,
    DOT,
    /** A single {@code :} (array slices, psql variables). */
    COLON,
    /** A character that starts no valid token (e.g. a lone {@code $}). */
    OTHER;

    /** Whitespace or a comment: carries no meaning between tokens. */
    public boolean isTrivia() {
        return this == WHITESPACE || this == LINE_COMMENT || this == BLOCK_COMMENT;
    }

    /** Any kind of string literal. */
    public boolean isString() {
        return this == STRING || this == ESCAPE_STRING || this == UNICODE_STRING
                || this == BIT_STRING || this == DOLLAR_STRING;
    }
}
