package io.pgtrickle.sql.recognize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.sql.error.PgTrickleException;
import io.pgtrickle.sql.error.SqlState;
import io.pgtrickle.sql.lex.Statements;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecognizerTest {

    private static Optional<Call> nat(String sql) {
        return Recognizer.recognize(sql, ParameterStyle.NATIVE);
    }

    private static Optional<Call> jdbc(String sql) {
        return Recognizer.recognize(sql, ParameterStyle.JDBC);
    }

    private static Call call(String sql) {
        return nat(sql).orElseThrow(() -> new AssertionError("not recognised: " + sql));
    }

    private static ArgumentValue.Literal lit(String text) {
        return new ArgumentValue.Literal(text);
    }

    @Test
    void selectForm() {
        Call c = call("SELECT pgtrickle.refresh_stream_table('orders')");
        assertThat(c.function()).isEqualTo(PgTrickleFunction.REFRESH_STREAM_TABLE);
        assertThat(c.form()).isEqualTo(CallForm.SELECT);
        assertThat(c.resultColumn()).isEqualTo("refresh_stream_table");
        assertThat(c.arguments()).containsExactly(new Argument(null, lit("orders"), "unknown"));
        assertThat(c.parameterCount()).isZero();
    }

    @Test
    void otherShapesAndAliases() {
        assertThat(call("select * from pgtrickle.drop_stream_table('x');").form()).isEqualTo(CallForm.SELECT_FROM);
        assertThat(call("SELECT * FROM pgtrickle.drop_stream_table('x') AS d").resultColumn()).isEqualTo("d");
        assertThat(call("SELECT * FROM pgtrickle.drop_stream_table('x') \"D\"").resultColumn()).isEqualTo("D");
        assertThat(call("SELECT pgtrickle.drop_stream_table('x') AS Done").resultColumn()).isEqualTo("done");
        assertThat(call("SELECT pgtrickle.drop_stream_table('x') done ;").resultColumn()).isEqualTo("done");
        assertThat(call("SELECT pgtrickle.drop_stream_table('x') AS from").resultColumn()).isEqualTo("from");
        assertThat(call("CALL pgtrickle.resume_stream_table('x')").form()).isEqualTo(CallForm.CALL);
        assertThat(call("  /* hi */ SeLeCt\n\"pgtrickle\" . \"create_stream_table\" -- c\n ( 'a' , 'b' ) ;; ")
                .function()).isEqualTo(PgTrickleFunction.CREATE_STREAM_TABLE);
        assertThat(call("SELECT PGTRICKLE.CREATE_STREAM_TABLE('a', 'b')").function())
                .isEqualTo(PgTrickleFunction.CREATE_STREAM_TABLE);
    }

    @Test
    void jdbcEscape() {
        Call c = jdbc("{call pgtrickle.refresh_stream_table(?)}").orElseThrow();
        assertThat(c.form()).isEqualTo(CallForm.JDBC_ESCAPE);
        assertThat(c.resultColumn()).isEqualTo("result");
        assertThat(c.parameterCount()).isEqualTo(1);
        assertThat(jdbc("{ ? = call pgtrickle.refresh_stream_table(?) }")).isEmpty();
        assertThat(nat("{call pgtrickle.refresh_stream_table('x')}")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT pgtrickle.pgt_status()",
        "SELECT pgtrickle.refresh_stream_table('x'), 1",
        "SELECT 1, pgtrickle.refresh_stream_table('x')",
        "SELECT pgtrickle.refresh_stream_table('x') WHERE true",
        "SELECT pgtrickle.refresh_stream_table('x') FROM t",
        "SELECT pgtrickle.refresh_stream_table('x') AS a b",
        "SELECT coalesce(pgtrickle.refresh_stream_table('x'), 1)",
        "SELECT (pgtrickle.refresh_stream_table('x'))",
        "SELECT 'SELECT pgtrickle.create_stream_table(''a'', ''b'')'",
        "SELECT $$SELECT pgtrickle.refresh_stream_table('x')$$",
        "-- SELECT pgtrickle.refresh_stream_table('x')",
        "/* SELECT pgtrickle.refresh_stream_table('x') */",
        "SELECT \"pgtrickle.refresh_stream_table('x')\"",
        "EXPLAIN SELECT pgtrickle.refresh_stream_table('x')",
        "SELECT refresh_stream_table('x')",
        "SELECT public.refresh_stream_table('x')",
        "SELECT \"PgTrickle\".refresh_stream_table('x')",
        "SELECT pgtrickle.\"Refresh_stream_table\"('x')",
        "SELECT pgtrickle.refresh_stream_table(lower('X'))",
        "SELECT pgtrickle.refresh_stream_table('a' || 'b')",
        "SELECT pgtrickle.refresh_stream_table((SELECT 'x'))",
        "SELECT pgtrickle.refresh_stream_table(-1)",
        "SELECT pgtrickle.refresh_stream_table('x'::text || 'y')",
        "SELECT pgtrickle.refresh_stream_table('x'::text is null)",
        "SELECT pgtrickle.refresh_stream_table('x'",
        "SELECT pgtrickle.refresh_stream_table('x)",
        "SELECT pgtrickle.refresh_stream_table('x'); SELECT 1",
        "SELECT 1; SELECT pgtrickle.refresh_stream_table('x')",
        "SELECT pgtrickle.refresh_stream_table(E'\\xC3')",
        "SELECT pgtrickle.refresh_stream_table(?)",
        "SELECT pgtrickle.refresh_stream_table($0)",
        "SELECT pgtrickle.refresh_stream_table",
        "SELECT * FROM pgtrickle.refresh_stream_table('x') AS t(c)",
        "CALL pgtrickle.refresh_stream_table('x') AS y",
        "SELECT ALL pgtrickle.refresh_stream_table('x')",
        "WITH a AS (SELECT 1) SELECT pgtrickle.refresh_stream_table('x')",
        "",
        "   ",
        "garbage ' \" $$ /*",
    })
    void notOurs(String sql) {
        assertThat(nat(sql)).as(sql).isEmpty();
    }

    @Test
    void jdbcNotOurs() {
        assertThat(jdbc("SELECT pgtrickle.refresh_stream_table($1)")).isEmpty();
        assertThat(jdbc("SELECT pgtrickle.refresh_stream_table(?? )")).isEmpty();
    }

    @Test
    void theBriefsExample() {
        Call c = call("SELECT pgtrickle.create_stream_table('t', $q$SELECT ';' AS x$q$, '1m'::text, "
                + "refresh_mode => 'FULL')");
        assertThat(c.arguments()).containsExactly(
                new Argument(null, lit("t"), "unknown"),
                new Argument(null, lit("SELECT ';' AS x"), "unknown"),
                new Argument(null, lit("1m"), "text"),
                new Argument("refresh_mode", lit("FULL"), "unknown"));
    }

    @Test
    void valuesOfEveryKind() {
        Call c = call("SELECT pgtrickle.create_stream_table(E'a\\'b', U&'d!0061t' UESCAPE '!', "
                + "$$x;'y'$$, 42, 1.5, TRUE, false, NULL, B'01', X'F', N'n', 'a'\n'b')");
        assertThat(c.arguments()).extracting(Argument::value).containsExactly(
                lit("a'b"), lit("dat"), lit("x;'y'"), lit("42"), lit("1.5"), lit("true"), lit("false"),
                new ArgumentValue.Null(), lit("01"), lit("1111"), lit("n"), lit("ab"));
        assertThat(c.arguments()).extracting(Argument::type).containsExactly("unknown", "unknown", "unknown",
                "integer", "numeric", "boolean", "boolean", "unknown", "bit", "bit", "unknown", "unknown");
    }

    @Test
    void casts() {
        Call c = call("SELECT pgtrickle.create_stream_table('a'::varchar(63), 'b'::text::character varying, "
                + "CAST('1m' AS text), CAST(CAST($1 AS text) AS pg_catalog.text), 'x'::timestamp(3) with time zone, "
                + "'y'::double precision, 'z'::text[], 'w'::\"text\")");
        assertThat(c.arguments()).extracting(Argument::type).containsExactly("varchar(63)", "character varying",
                "text", "pg_catalog.text", "timestamp(3) with time zone", "double precision", "text[]", "\"text\"");
        assertThat(c.arguments().get(3).value()).isEqualTo(new ArgumentValue.Parameter(1));
    }

    @Test
    void namedAndMixedNotation() {
        Call c = call("SELECT pgtrickle.create_stream_table(name => 'a', \"query\" := 'b', Schedule => '1m')");
        assertThat(c.arguments()).extracting(Argument::name).containsExactly("name", "query", "schedule");
        Call mixed = call("SELECT pgtrickle.create_stream_table('a', 'b', initialize => false)");
        assertThat(mixed.arguments()).extracting(Argument::name).containsExactly(null, null, "initialize");
    }

    @Test
    void positionalAfterNamedIsASyntaxError() {
        assertThatThrownBy(() -> call("SELECT pgtrickle.create_stream_table(name => 'a', 'b')"))
                .isInstanceOfSatisfying(PgTrickleException.class, e -> {
                    assertThat(e.sqlState()).isEqualTo(SqlState.SYNTAX_ERROR);
                    assertThat(e.getMessage()).isEqualTo("positional argument cannot follow named argument");
                });
        assertThatThrownBy(() -> call("SELECT pgtrickle.create_stream_table(name => 'a', NAME => 'b')"))
                .isInstanceOfSatisfying(PgTrickleException.class,
                        e -> assertThat(e.sqlState()).isEqualTo(SqlState.SYNTAX_ERROR));
        // not ours at all: no error, PostgreSQL answers
        assertThat(nat("SELECT pgtrickle.pgt_status(name => 'a', 'b')")).isEmpty();
    }

    @Test
    void nativeParameters() {
        Call c = call("SELECT pgtrickle.create_stream_table($2, $1, schedule => $2::text)");
        assertThat(c.parameterCount()).isEqualTo(2);
        assertThat(c.arguments()).extracting(Argument::value).containsExactly(new ArgumentValue.Parameter(2),
                new ArgumentValue.Parameter(1), new ArgumentValue.Parameter(2));
    }

    @Test
    void dollarTagThatLooksLikeAParameter() {
        Call c = call("SELECT pgtrickle.create_stream_table($1, $_1$SELECT $1$_1$)");
        assertThat(c.parameterCount()).isEqualTo(1);
        assertThat(c.arguments().get(1).value()).isEqualTo(lit("SELECT $1"));
    }

    @Test
    void jdbcParametersSkipQuestionMarksInStrings() {
        Call c = jdbc("SELECT pgtrickle.create_stream_table(?, 'SELECT ''?'' AS \"?\" -- ?', schedule => ?)"
                + " /* ? */ -- ?").orElseThrow();
        assertThat(c.parameterCount()).isEqualTo(2);
        assertThat(c.arguments()).extracting(Argument::value).containsExactly(new ArgumentValue.Parameter(1),
                lit("SELECT '?' AS \"?\" -- ?"), new ArgumentValue.Parameter(2));
    }

    @Test
    void queryArgumentComesThroughByteExact() {
        String query = "SELECT  a,\n\tb -- keep ; this\n/* and ' this */ FROM \"T\" WHERE c = 'x''y' AND d ? 'k'";
        Call c = call("SELECT pgtrickle.create_stream_table('s.t', $body$" + query + "$body$)");
        assertThat(c.arguments().get(1).value()).isEqualTo(lit(query));
        Call quoted = call("SELECT pgtrickle.create_stream_table('s.t', '" + query.replace("'", "''") + "')");
        assertThat(quoted.arguments().get(1).value()).isEqualTo(lit(query));
    }

    @Test
    void onlyTheRightStatementOfASplitIsRecognised() {
        String script = "SELECT 'pgtrickle.refresh_stream_table(''a'');';\n"
                + "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ SELECT pgtrickle.refresh_stream_table('b'); $$;\n"
                + "SELECT pgtrickle.create_stream_table('c', $$SELECT 1; $$, refresh_mode => 'FULL'); -- done\n"
                + "/* SELECT pgtrickle.refresh_stream_table('d'); */ SELECT 2;";
        List<String> statements = Statements.split(script);
        assertThat(statements).hasSize(4);
        assertThat(statements.get(3)).isEqualTo("-- done\n/* SELECT pgtrickle.refresh_stream_table('d'); */ SELECT 2");
        assertThat(statements.stream().map(RecognizerTest::nat).filter(Optional::isPresent).count()).isEqualTo(1);
        assertThat(call(statements.get(2)).arguments().get(1).value()).isEqualTo(lit("SELECT 1; "));
    }
}
