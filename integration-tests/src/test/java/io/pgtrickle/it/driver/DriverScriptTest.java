package io.pgtrickle.it.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgtrickle.it.harness.CatalogSnapshot;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** Several statements in one string, pgtrickle calls among them: in order, all or nothing, every result. */
@PgTest
class DriverScriptTest {

    @Test
    void quickCheckAsOneString(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle(); Statement s = c.createStatement()) {
            boolean first = s.execute("CREATE TABLE test_source (id INT PRIMARY KEY, val TEXT);\n"
                    + "INSERT INTO test_source VALUES (1,'hello');\n"
                    + "SELECT pgtrickle.create_stream_table('test_st', 'SELECT id, val FROM test_source', '1m', 'FULL');\n"
                    + "SELECT * FROM test_st;");
            assertThat(first).isFalse();
            assertThat(s.getUpdateCount()).isEqualTo(0); // CREATE TABLE
            assertThat(s.getMoreResults()).isFalse();
            assertThat(s.getUpdateCount()).isEqualTo(1); // INSERT
            assertThat(s.getMoreResults()).isTrue();
            try (ResultSet rs = s.getResultSet()) {
                assertThat(rs.getMetaData().getColumnLabel(1)).isEqualTo("create_stream_table");
                assertThat(rs.getStatement()).isSameAs(s);
            }
            assertThat(s.getMoreResults()).isTrue();
            try (ResultSet rs = s.getResultSet()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1) + " | " + rs.getString(2)).isEqualTo("1 | hello");
            }
            assertThat(s.getMoreResults()).isFalse();
            assertThat(s.getUpdateCount()).isEqualTo(-1);
            s.execute("SELECT pgtrickle.drop_stream_table('test_st'); DROP TABLE test_source");
        }
    }

    @Test
    void failureAnywhereUndoesTheWholeString(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE src (id int); SELECT pgtrickle.create_stream_table('warm', 'SELECT 1 AS x', '1m', 'FULL')");
            CatalogSnapshot before = CatalogSnapshot.capture(c);
            SQLException e = catchThrowableOfType(SQLException.class, () -> s.execute(
                    "INSERT INTO src VALUES (1); SELECT pgtrickle.create_stream_table('st', 'SELECT id FROM src', '1m', 'FULL'); "
                            + "SELECT pgtrickle.create_stream_table('bad', 'SELECT id FROM src', '1m', 'NOPE')"));
            assertThat(e.getSQLState()).isEqualTo("22023");
            assertThat(c.getAutoCommit()).isTrue();
            CatalogSnapshot after = CatalogSnapshot.capture(c);
            assertThat(after).as(after.diff(before)).isEqualTo(before);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM src")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void explicitTransactionInsideTheString(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t2 (id int); BEGIN; SELECT pgtrickle.create_stream_table('st2', 'SELECT id FROM t2', "
                    + "'1m', 'FULL'); ROLLBACK");
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('st2') IS NULL, to_regclass('t2') IS NOT NULL")) {
                rs.next();
                assertThat(rs.getBoolean(1)).as("rolled back").isTrue();
                assertThat(rs.getBoolean(2)).as("committed before BEGIN").isTrue();
            }
            // pgjdbc's rule for executeQuery, kept: exactly one result set
            SQLException e = catchThrowableOfType(SQLException.class, () -> s.executeQuery(
                    "SELECT pgtrickle.create_stream_table('st3', 'SELECT id FROM t2', '1m', 'FULL'); "
                    + "SELECT pgtrickle.drop_stream_table('st3')"));
            assertThat(e.getMessage()).contains("Multiple ResultSets");
        }
    }
}
