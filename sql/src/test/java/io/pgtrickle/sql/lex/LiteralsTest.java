package io.pgtrickle.sql.lex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class LiteralsTest {

    private static Optional<String> value(String literal) {
        return Literals.stringValue(Lexer.tokenize(literal).get(0), Literals.DEFAULT_UESCAPE);
    }

    private static Optional<String> value(String literal, char uescape) {
        return Literals.stringValue(Lexer.tokenize(literal).get(0), uescape);
    }

    @Test
    void standard() {
        assertThat(value("'it''s'")).contains("it's");
        assertThat(value("'a\\b'")).contains("a\\b");
        assertThat(value("''")).contains("");
        assertThat(value("N'x'")).contains("x");
        assertThat(value("'a'\n'b'  \n 'c'")).contains("abc");
        assertThat(value("'a' -- it's a comment\n'b'")).contains("ab");
    }

    @Test
    void escapeStrings() {
        assertThat(value("E'\\''")).contains("'");
        assertThat(value("E'a''b'")).contains("a'b");
        assertThat(value("E'\\n\\t\\r\\b\\f\\\\'")).contains("\n\t\r\b\f\\");
        assertThat(value("E'\\x41\\x4'")).contains("A\u0004");
        assertThat(value("E'\\101\\7'")).contains("A\u0007");
        assertThat(value("E'\\u00e9\\U0001F600'")).contains("\u00e9\ud83d\ude00");
        assertThat(value("E'\\uD83D\\uDE00'")).contains("\ud83d\ude00");
        assertThat(value("E'\\xC3\\xA9'")).contains("\u00e9");
        assertThat(value("E'\\q'")).contains("q");
        assertThat(value("E'a'\n'\\n'")).contains("a\n");
    }

    @Test
    void invalidEscapesAreEmpty() {
        assertThat(value("E'\\xC3'")).isEmpty();
        assertThat(value("E'\\0'")).isEmpty();
        assertThat(value("E'\\u12'")).isEmpty();
        assertThat(value("E'\\uD83D'")).isEmpty();
        assertThat(value("E'abc")).isEmpty();
    }

    @Test
    void unicodeStrings() {
        assertThat(value("U&'d\\0061t\\+000061'")).contains("data");
        assertThat(value("U&'d!0061t!+000061'", '!')).contains("data");
        assertThat(value("U&'a\\\\b'")).contains("a\\b");
        assertThat(value("U&'it''s'")).contains("it's");
        assertThat(value("U&'\\D83D\\DE00'")).contains("\ud83d\ude00");
        assertThat(value("U&'\\12'")).isEmpty();
        assertThat(value("U&'\\0000'")).isEmpty();
    }

    @Test
    void bitStrings() {
        assertThat(value("B'0101'")).contains("0101");
        assertThat(value("X'1F'")).contains("00011111");
        assertThat(value("B'012'")).isEmpty();
        assertThat(value("X'G'")).isEmpty();
    }

    @Test
    void dollarStrings() {
        assertThat(value("$$a;'b'\\n$$")).contains("a;'b'\\n");
        assertThat(value("$q$ $$ $q$")).contains(" $$ ");
        assertThat(value("$$$$")).contains("");
    }

    @Test
    void identifiers() {
        assertThat(Literals.identifierValue(Lexer.tokenize("PgTrickle").get(0), '\\')).contains("pgtrickle");
        assertThat(Literals.identifierValue(Lexer.tokenize("\"My \"\"x\"\"\"").get(0), '\\')).contains("My \"x\"");
        assertThat(Literals.identifierValue(Lexer.tokenize("U&\"\\0061b\"").get(0), '\\')).contains("ab");
        assertThat(Literals.identifierValue(Lexer.tokenize("\"\"").get(0), '\\')).isEmpty();
        assertThat(Literals.identifierValue(Lexer.tokenize("\"abc").get(0), '\\')).isEmpty();
    }

    @Test
    void uescapeValidity() {
        assertThat(Literals.isValidUescape("!")).isTrue();
        assertThat(Literals.isValidUescape("a")).isFalse();
        assertThat(Literals.isValidUescape("+")).isFalse();
        assertThat(Literals.isValidUescape(" ")).isFalse();
        assertThat(Literals.isValidUescape("!!")).isFalse();
    }
}
