package io.pgtrickle.it.harness;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The oracle, on a plain table standing in for a stream table. */
@PgTest
class OracleTest {

    private Connection c;

    @BeforeEach
    void createTables(TestDatabase db) throws SQLException {
        c = db.connect();
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS st, src, amounts");
            s.execute("CREATE TABLE src (k int, v text)");
            s.execute("INSERT INTO src VALUES (1, 'a'), (2, 'b'), (2, 'b'), (3, NULL)");
            // what a stream table might look like: user columns plus bookkeeping
            s.execute("CREATE TABLE st (k int, __pgt_count bigint, v text, __pgt_row_id bigint)");
            s.execute("INSERT INTO st VALUES (1, 1, 'a', 10), (2, 2, 'b', 11), (2, 2, 'b', 12), (3, 1, NULL, 13)");
        }
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    @Test
    void passesOnTheSameMultisetIgnoringInternalColumns() {
        assertThatCode(() -> Oracle.assertStreamTableMatches(c, "st", "SELECT k, v FROM src;"))
                .doesNotThrowAnyException();
        assertThatCode(() -> Oracle.assertStreamTableMatches(c, "public.st", "SELECT k, v FROM src ORDER BY v DESC"))
                .doesNotThrowAnyException();
    }

    @Test
    void detectsAMissingRow() throws SQLException {
        exec("DELETE FROM st WHERE k = 1");
        assertThatThrownBy(() -> Oracle.assertStreamTableMatches(c, "st", "SELECT k, v FROM src"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("0 row(s) extra")
                .hasMessageContaining("1 row(s) missing")
                .hasMessageContaining("(1,a)");
    }

    @Test
    void detectsAnExtraDuplicate() throws SQLException {
        exec("INSERT INTO st VALUES (3, 1, NULL, 14)");
        assertThatThrownBy(() -> Oracle.assertStreamTableMatches(c, "st", "SELECT k, v FROM src"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 row(s) extra")
                .hasMessageContaining("(3,)")
                .hasMessageContaining("0 row(s) missing");
    }

    @Test
    void detectsAMissingDuplicate() {
        assertThatThrownBy(() -> Oracle.assertStreamTableMatches(c, "st",
                        "SELECT k, v FROM src UNION ALL SELECT 2, 'b'"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 row(s) missing")
                .hasMessageContaining("(2,b)");
    }

    @Test
    void detectsAChangedValue() throws SQLException {
        exec("UPDATE st SET v = 'z' WHERE k = 1");
        assertThatThrownBy(() -> Oracle.assertStreamTableMatches(c, "st", "SELECT k, v FROM src"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("(1,z)")
                .hasMessageContaining("(1,a)");
    }

    @Test
    void detectsAnEqualNumberOfAnotherScale() throws SQLException {
        exec("CREATE TABLE amounts (a numeric)");
        exec("INSERT INTO amounts VALUES (1.50)");
        assertThatThrownBy(() -> Oracle.assertStreamTableMatches(c, "amounts", "SELECT 1.5::numeric AS a"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("(1.50)")
                .hasMessageContaining("(1.5)");
    }

    private void exec(String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
