package io.pgtrickle.sql.lex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Casts#parenthesize}: each {@code operand::type} gets parentheses around exactly the primary
 * PostgreSQL binds the cast to, and nothing else in the query changes.
 */
class CastsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT price * 1.4::int FROM t | SELECT price * (1.4::int) FROM t",
        "SELECT id = 'x'::uuid FROM t | SELECT id = ('x'::uuid) FROM t",
        "SELECT a.b::text FROM s.a | SELECT (a.b::text) FROM s.a",
        "SELECT s.t.c::bigint | SELECT (s.t.c::bigint)",
        "SELECT f(x, y)::text | SELECT (f(x, y)::text)",
        "SELECT pg_catalog.upper(x)::varchar(10) | SELECT (pg_catalog.upper(x)::varchar(10))",
        "SELECT (a + b)::numeric(10, 2) | SELECT ((a + b)::numeric(10, 2))",
        "SELECT x::int::text | SELECT ((x::int)::text)",
        "SELECT x::double precision + 1 | SELECT (x::double precision) + 1",
        "SELECT x::timestamp with time zone | SELECT (x::timestamp with time zone)",
        "SELECT x::timestamp(3) without time zone | SELECT (x::timestamp(3) without time zone)",
        "SELECT x::character varying(20) | SELECT (x::character varying(20))",
        "SELECT x::int[] | SELECT (x::int[])",
        "SELECT a[1]::int | SELECT (a[1]::int)",
        "SELECT ARRAY[1, 2]::bigint[] | SELECT (ARRAY[1, 2]::bigint[])",
        "SELECT $1::int | SELECT ($1::int)",
        "SELECT x::\"MyType\" | SELECT (x::\"MyType\")",
        "SELECT \"Col\"::text | SELECT (\"Col\"::text)",
        "SELECT * FROM t WHERE (a + b)::int > 3 | SELECT * FROM t WHERE ((a + b)::int) > 3",
        "SELECT CASE WHEN x > 0 THEN (x)::text END | SELECT CASE WHEN x > 0 THEN ((x)::text) END",
        "SELECT -x::int | SELECT -(x::int)",
        "SELECT date_trunc('day', at)::date AS d | SELECT (date_trunc('day', at)::date) AS d",
        "SELECT 'a::b', $$x::y$$ -- z::w | SELECT 'a::b', $$x::y$$ -- z::w",
        "SELECT NULL::int, current_date::text | SELECT (NULL::int), (current_date::text)",
        "SELECT 1 | SELECT 1",
    })
    void castsGetParenthesesAroundTheirPrimary(String in, String out) {
        assertThat(Casts.parenthesize(in)).isEqualTo(out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT x:: FROM t",
        "SELECT ::int",
    })
    void queriesThatDoNotReadAsCastsAreLeftAlone(String in) {
        assertThat(Casts.parenthesize(in)).isEqualTo(in);
    }

    /** Whatever the query, only parentheses are added: the other tokens and the text between stay. */
    @Property(seed = "20261125", tries = 500)
    void onlyParenthesesAreAdded(@ForAll("queries") String sql) {
        String out = Casts.parenthesize(sql);
        assertThat(withoutParens(out)).isEqualTo(withoutParens(sql));
        long added = count(out, '(') - count(sql, '(');
        assertThat(count(out, ')') - count(sql, ')')).isEqualTo(added);
    }

    /** Token texts outside parentheses (strings keep their own parentheses). */
    private static List<String> withoutParens(String sql) {
        List<String> out = new ArrayList<>();
        for (Token t : Lexer.tokenize(sql)) {
            if (!t.kind().isTrivia() && !t.is(TokenKind.LEFT_PAREN) && !t.is(TokenKind.RIGHT_PAREN)) {
                out.add(t.text());
            }
        }
        return out;
    }

    private static long count(String s, char c) {
        return s.chars().filter(ch -> ch == c).count();
    }

    @Provide
    Arbitrary<String> queries() {
        Arbitrary<String> piece = Arbitraries.of("x", "t.c", "1.5", "'s::t'", "f(x)", "(a + b)", "$1", "a[1]",
                "::int", "::numeric(10, 2)", "::text[]", "::double precision", " + ", " * ", ", ", "(", ")",
                "-- c::d\n", "\"Q\"", "ARRAY[1]", " AND ", " WHERE ");
        return piece.list().ofMinSize(1).ofMaxSize(12).map(l -> "SELECT " + String.join("", l));
    }
}
