package io.pgtrickle.sql.lex;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatementsTest {

    @Test
    void splitsOnTopLevelSemicolons() {
        assertThat(Statements.split(" SELECT 1 ;\n SELECT 2;;  ; SELECT 3 ")).containsExactly(
                "SELECT 1", "SELECT 2", "SELECT 3");
        assertThat(Statements.split("")).isEmpty();
        assertThat(Statements.split(" ; ;\n")).isEmpty();
    }

    @Test
    void doesNotSplitInsideQuotedThings() {
        assertThat(Statements.split("SELECT ';', \";\", E'\\';', $$;$$, $q$ $$; $q$; SELECT 2")).containsExactly(
                "SELECT ';', \";\", E'\\';', $$;$$, $q$ $$; $q$", "SELECT 2");
        assertThat(Statements.split("SELECT 1 -- ; not here\n; SELECT /* ; /* ; */ ; */ 2")).containsExactly(
                "SELECT 1 -- ; not here", "SELECT /* ; /* ; */ ; */ 2");
        assertThat(Statements.split("SELECT (1; 2); SELECT 3")).containsExactly("SELECT (1; 2)", "SELECT 3");
    }

    @Test
    void functionBodies() {
        String plpgsql = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$\n"
                + "BEGIN\n  PERFORM 1; RETURN 'x;y';\nEND $body$";
        assertThat(Statements.split(plpgsql + ";\nSELECT f();")).containsExactly(plpgsql, "SELECT f()");
    }

    @Test
    void beginAtomicBodies() {
        String atomic = "CREATE OR REPLACE FUNCTION g(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
                + "  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\n  SELECT a + 1;\nEND";
        assertThat(Statements.split(atomic + "; SELECT 1")).containsExactly(atomic, "SELECT 1");
        String procedure = "create procedure p() begin atomic insert into t values (1); end";
        assertThat(Statements.split(procedure + ";select 2")).containsExactly(procedure, "select 2");
        assertThat(Statements.split("BEGIN; SELECT 1; END;")).containsExactly("BEGIN", "SELECT 1", "END");
    }

    @Test
    void unterminatedRunsToEnd() {
        assertThat(Statements.split("SELECT 1; SELECT 'abc; SELECT 2")).containsExactly(
                "SELECT 1", "SELECT 'abc; SELECT 2");
    }

    @Test
    void commentOnlyPiecesAreKeptAndPositionsReported() {
        assertThat(Statements.split("-- hello\n; SELECT 1")).containsExactly("-- hello", "SELECT 1");
        Statement st = Statements.locate("  SELECT 1 ;").get(0);
        assertThat(st.start()).isEqualTo(2);
        assertThat(st.end()).isEqualTo(10);
    }
}
