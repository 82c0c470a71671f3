package io.pgtrickle.sql.lex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class LexPropertiesTest {

    private static final List<String> FRAGMENTS = List.of("'", "''", "\"", "$$", "$q$", "$1", ";", ";", "--",
            "/*", "*/", "\n", " ", "a", "E'", "\\", "U&'", "(", ")", "BEGIN ATOMIC ", " END ", "CREATE ", "CASE ",
            "x'", "?", "::", "=>", "-", "/", "*", "\u00e9");

    @Provide
    Arbitrary<String> sqlish() {
        return Arbitraries.of(FRAGMENTS).list().ofMaxSize(40).map(l -> String.join("", l));
    }

    @Property(tries = 2000)
    void tokensTileTheInput(@ForAll("sqlish") String sql) {
        for (boolean jdbc : new boolean[] {false, true}) {
            int at = 0;
            for (Token t : Lexer.tokenize(sql, jdbc)) {
                assertThat(t.start()).isEqualTo(at);
                assertThat(t.end()).isGreaterThan(t.start());
                at = t.end();
            }
            assertThat(at).isEqualTo(sql.length());
        }
    }

    @Property(tries = 2000)
    void splittingNeverLosesNonWhitespace(@ForAll("sqlish") String sql) {
        List<Statement> statements = Statements.locate(sql);
        boolean[] covered = new boolean[sql.length()];
        int previousEnd = 0;
        for (Statement st : statements) {
            assertThat(st.start()).isGreaterThanOrEqualTo(previousEnd);
            assertThat(st.text()).isEqualTo(sql.substring(st.start(), st.end())).isNotBlank();
            for (int i = st.start(); i < st.end(); i++) {
                covered[i] = true;
            }
            previousEnd = st.end();
        }
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (!covered[i]) {
                assertThat(Lexer.isSpace(c) || c == ';').as("lost %s at %d", c, i).isTrue();
            }
        }
    }

    @Property(tries = 500)
    void lexingNeverThrowsOnArbitraryText(@ForAll String text) {
        Lexer.tokenize(text, true);
        Statements.split(text);
    }
}
