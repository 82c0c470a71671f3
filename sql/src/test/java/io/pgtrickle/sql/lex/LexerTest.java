package io.pgtrickle.sql.lex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LexerTest {

    private static List<String> kinds(String sql) {
        return Lexer.significantTokens(sql, false).stream()
                .map(t -> t.kind() + ":" + t.text()).collect(Collectors.toList());
    }

    private static Token only(String sql) {
        List<Token> tokens = Lexer.tokenize(sql);
        assertThat(tokens).hasSize(1);
        return tokens.get(0);
    }

    @Test
    void simpleStatement() {
        assertThat(kinds("SELECT a::text, f(x => 1, y := 2.5e3);")).containsExactly(
                "IDENTIFIER:SELECT", "IDENTIFIER:a", "CAST:::", "IDENTIFIER:text", "COMMA:,",
                "IDENTIFIER:f", "LEFT_PAREN:(", "IDENTIFIER:x", "ARROW:=>", "NUMBER:1", "COMMA:,",
                "IDENTIFIER:y", "COLON_EQUALS::=", "NUMBER:2.5e3", "RIGHT_PAREN:)", "SEMICOLON:;");
    }

    @Test
    void stringsOfEveryKind() {
        assertThat(only("'it''s'").kind()).isEqualTo(TokenKind.STRING);
        assertThat(only("E'a\\'b'").kind()).isEqualTo(TokenKind.ESCAPE_STRING);
        assertThat(only("e'\\''").text()).isEqualTo("e'\\''");
        assertThat(only("U&'d\\0061t'").kind()).isEqualTo(TokenKind.UNICODE_STRING);
        assertThat(only("B'0101'").kind()).isEqualTo(TokenKind.BIT_STRING);
        assertThat(only("x'1F'").kind()).isEqualTo(TokenKind.BIT_STRING);
        assertThat(only("N'abc'").kind()).isEqualTo(TokenKind.STRING);
        assertThat(only("$$ a ; ' \" $$").kind()).isEqualTo(TokenKind.DOLLAR_STRING);
        assertThat(only("$q$ $$ ; $q$").kind()).isEqualTo(TokenKind.DOLLAR_STRING);
        assertThat(only("\"a\"\"b\"").kind()).isEqualTo(TokenKind.QUOTED_IDENTIFIER);
        assertThat(only("U&\"a\"").kind()).isEqualTo(TokenKind.QUOTED_IDENTIFIER);
    }

    @Test
    void standardStringsDoNotTreatBackslashAsEscape() {
        assertThat(kinds("'a\\' , 'b'")).containsExactly("STRING:'a\\'", "COMMA:,", "STRING:'b'");
    }

    @Test
    void continuationLinesJoinStrings() {
        assertThat(only("'a'\n  'b'").kind()).isEqualTo(TokenKind.STRING);
        assertThat(only("'a' -- note\n'b'").kind()).isEqualTo(TokenKind.STRING);
        assertThat(kinds("'a' 'b'")).hasSize(2);
    }

    @Test
    void parametersAndDollarTags() {
        assertThat(kinds("$1 $23")).containsExactly("PARAMETER:$1", "PARAMETER:$23");
        assertThat(kinds("$a$x$a$")).containsExactly("DOLLAR_STRING:$a$x$a$");
        assertThat(kinds("$_1$ $1 $_1$")).containsExactly("DOLLAR_STRING:$_1$ $1 $_1$");
        assertThat(kinds("a$$b")).containsExactly("IDENTIFIER:a$$b");
        assertThat(kinds("$ x")).containsExactly("OTHER:$", "IDENTIFIER:x");
    }

    @Test
    void nestedBlockComments() {
        Token t = only("/* a /* b */ c */");
        assertThat(t.kind()).isEqualTo(TokenKind.BLOCK_COMMENT);
        assertThat(t.unterminated()).isFalse();
        assertThat(kinds("/* a /* b */ c */ x")).containsExactly("IDENTIFIER:x");
    }

    @Test
    void unterminatedThingsRunToTheEnd() {
        for (String sql : List.of("'abc", "E'ab\\'", "\"ab", "/* a /* b */", "$q$ body", "U&'x", "B'01")) {
            Token t = only(sql);
            assertThat(t.unterminated()).as(sql).isTrue();
            assertThat(t.end()).isEqualTo(sql.length());
        }
        assertThat(only("-- to the end").unterminated()).isFalse();
    }

    @Test
    void operators() {
        assertThat(kinds("a||b")).containsExactly("IDENTIFIER:a", "OPERATOR:||", "IDENTIFIER:b");
        assertThat(kinds("a=>-1")).containsExactly("IDENTIFIER:a", "ARROW:=>", "OPERATOR:-", "NUMBER:1");
        assertThat(kinds("a<=-1")).containsExactly("IDENTIFIER:a", "OPERATOR:<=", "OPERATOR:-", "NUMBER:1");
        assertThat(kinds("a@-1")).containsExactly("IDENTIFIER:a", "OPERATOR:@-", "NUMBER:1");
        assertThat(kinds("a+--c\nb")).containsExactly("IDENTIFIER:a", "OPERATOR:+", "IDENTIFIER:b");
        assertThat(kinds("a*/*c*/b")).containsExactly("IDENTIFIER:a", "OPERATOR:*", "IDENTIFIER:b");
        assertThat(kinds("j ?| k")).containsExactly("IDENTIFIER:j", "OPERATOR:?|", "IDENTIFIER:k");
    }

    @Test
    void jdbcPlaceholders() {
        List<String> jdbc = Lexer.significantTokens("f(?, '?', ?? , ?|, \"?\")", true).stream()
                .map(t -> t.kind() + ":" + t.text()).collect(Collectors.toList());
        assertThat(jdbc).containsExactly("IDENTIFIER:f", "LEFT_PAREN:(", "JDBC_PARAMETER:?", "COMMA:,",
                "STRING:'?'", "COMMA:,", "OPERATOR:??", "COMMA:,", "JDBC_PARAMETER:?", "OPERATOR:|",
                "COMMA:,", "QUOTED_IDENTIFIER:\"?\"", "RIGHT_PAREN:)");
    }

    @Test
    void numbers() {
        assertThat(kinds("1 1.5 .5 1e10 1E-3 0x1F 1_000 1..2")).containsExactly("NUMBER:1", "NUMBER:1.5",
                "NUMBER:.5", "NUMBER:1e10", "NUMBER:1E-3", "NUMBER:0x1F", "NUMBER:1_000",
                "NUMBER:1", "DOT:.", "NUMBER:.2");
    }

    @Test
    void tokensCoverTheInputWithoutGaps() {
        String sql = "SELECT /* c */ 'x' -- y\n , E'\\n' ; $$;$$ \u00e9t\u00e9 \ud83d\ude00 ~";
        List<Token> tokens = Lexer.tokenize(sql);
        int at = 0;
        for (Token t : tokens) {
            assertThat(t.start()).isEqualTo(at);
            at = t.end();
        }
        assertThat(at).isEqualTo(sql.length());
    }

    @Test
    void keywordsAndFolding() {
        Token t = Lexer.tokenize("SeLeCt").get(0);
        assertThat(t.isKeyword("select")).isTrue();
        assertThat(t.folded()).isEqualTo("select");
        assertThat(Token.foldIdentifier("\u00c9A")).isEqualTo("\u00c9a");
    }
}
