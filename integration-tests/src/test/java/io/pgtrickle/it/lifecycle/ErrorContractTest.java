package io.pgtrickle.it.lifecycle;

import static io.pgtrickle.it.harness.Sql.exec;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Sql;
import io.pgtrickle.it.harness.CatalogSnapshot;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every bad input of API.md's error table gives its SQLSTATE through the driver and leaves the
 * database exactly as it was (catalog rows, relations, columns, triggers, functions).
 */
@PgTest
class ErrorContractTest {
    private static Connection c;
    /** Takes the snapshots: a superuser connection, whatever role c has assumed. */
    private static Connection admin;
    private static String role;

    @BeforeAll
    static void setUp(TestDatabase db) throws SQLException {
        c = db.connectPgtrickle();
        admin = db.connect();
        role = "alice_" + db.name();
        exec(c, "CREATE TABLE src (id int PRIMARY KEY, v text)",
                "INSERT INTO src VALUES (1, 'a'), (2, 'b'), (3, NULL)",
                "CREATE TABLE plain (x int)",
                "SELECT pgtrickle.create_stream_table('st_a', 'SELECT id, v FROM src', '1m', 'FULL')",
                "SELECT pgtrickle.create_stream_table('st_b', 'SELECT id, v FROM st_a', '1m', 'FULL')",
                "CREATE ROLE " + role);
    }

    @AfterAll
    static void tearDown() throws SQLException {
        exec(c, "RESET ROLE", "DROP OWNED BY " + role, "DROP ROLE " + role);
        c.close();
        admin.close();
    }

    private static void rejected(String sqlState, String statement) throws SQLException {
        CatalogSnapshot before = CatalogSnapshot.capture(admin);
        Sql.fails(c, sqlState, statement);
        CatalogSnapshot after = CatalogSnapshot.capture(admin);
        assertThat(after).as("database changed by failed %s:\n%s", statement, after.diff(before)).isEqualTo(before);
    }

    @Test
    void queryThatDoesNotParse() throws SQLException {
        rejected("42601", "SELECT pgtrickle.create_stream_table('x', 'SELEC id FROM src', '1m', 'FULL')");
    }

    @Test
    void queryWithSeveralStatementsRunsNothing() throws SQLException {
        rejected("42601", "SELECT pgtrickle.create_stream_table('x', 'SELECT 1 AS a; DROP TABLE plain', '1m', 'FULL')");
        assertThat(Sql.value(c, "SELECT to_regclass('plain') IS NOT NULL")).isEqualTo("t");
    }

    @Test
    void queryThatIsNotASelect() throws SQLException {
        rejected("42000", "SELECT pgtrickle.create_stream_table('x', 'DELETE FROM src', '1m', 'FULL')");
        rejected("42000", "SELECT pgtrickle.create_stream_table('x', 'INSERT INTO plain VALUES (1)', '1m', 'FULL')");
        assertThat(Sql.value(c, "SELECT count(*) FROM src")).isEqualTo("3");
    }

    @Test
    void unsupportedInDifferential() throws SQLException {
        rejected("0A000", "SELECT pgtrickle.create_stream_table('x', 'SELECT id, random() AS r FROM src', '1m', "
                + "'DIFFERENTIAL')");
        rejected("0A000", "SELECT pgtrickle.create_stream_table('x', 'SELECT id FROM src', '1m', 'IMMEDIATE')");
    }

    @Test
    void cycleNamesTheCycle() throws SQLException {
        CatalogSnapshot before = CatalogSnapshot.capture(c);
        SQLException e = Sql.fails(c, "3F000", "SELECT pgtrickle.alter_stream_table('st_a', query => 'SELECT id, v FROM st_b')");
        assertThat(e.getMessage()).contains("st_a -> ").contains("st_b");
        assertThat(CatalogSnapshot.capture(c)).isEqualTo(before);
    }

    @Test
    void notFound() throws SQLException {
        rejected("42P01", "SELECT pgtrickle.drop_stream_table('nope')");
        rejected("42P01", "SELECT pgtrickle.refresh_stream_table('nope')");
        rejected("42P01", "SELECT pgtrickle.alter_stream_table('nope', schedule => '5m')");
        rejected("42P01", "SELECT pgtrickle.resume_stream_table('plain')");
        rejected("42P01", "SELECT pgtrickle.create_stream_table('x', 'SELECT * FROM missing_table', '1m', 'FULL')");
    }

    @Test
    void alreadyExists() throws SQLException {
        rejected("42P07", "SELECT pgtrickle.create_stream_table('st_a', 'SELECT id FROM src', '1m', 'FULL')");
        rejected("42P07", "SELECT pgtrickle.create_stream_table('plain', 'SELECT id FROM src', '1m', 'FULL')");
        rejected("42P07", "SELECT pgtrickle.create_stream_table('public.st_a', 'SELECT id FROM src', '1m', 'FULL')");
    }

    @Test
    void invalidArguments() throws SQLException {
        rejected("22023", "SELECT pgtrickle.create_stream_table('x', 'SELECT id FROM src', '1m', 'FAST')");
        rejected("22023", "SELECT pgtrickle.create_stream_table('x', 'SELECT id FROM src', '0s', 'FULL')");
        rejected("22023", "SELECT pgtrickle.create_stream_table('x', 'SELECT id FROM src', 'soon', 'FULL')");
        rejected("22023", "SELECT pgtrickle.create_stream_table('x', 'SELECT id AS __pgt_id FROM src', '1m', 'FULL')");
        rejected("22023", "SELECT pgtrickle.create_stream_table('', 'SELECT id FROM src', '1m', 'FULL')");
        rejected("22023", "SELECT pgtrickle.create_stream_table('  ', 'SELECT id FROM src', '1m', 'FULL')");
        rejected("22023", "SELECT pgtrickle.alter_stream_table('st_a', status => 'DONE')");
        rejected("22023", "SELECT pgtrickle.alter_stream_table('st_a', refresh_mode => 'sometimes')");
        rejected("22023", "SELECT pgtrickle.alter_stream_table('st_a', schedule => '500ms')");
    }

    @Test
    void dropWithDependents() throws SQLException {
        SQLException e = Sql.fails(c, "2BP01", "SELECT pgtrickle.drop_stream_table('st_a')");
        assertThat(e.getMessage()).contains("st_a");
        rejected("2BP01", "SELECT pgtrickle.drop_stream_table('st_a', cascade => false)");
    }

    @Test
    void notOwnerOrNoPrivilege() throws SQLException {
        exec(c, "SET ROLE " + role);
        try {
            rejected("42501", "SELECT pgtrickle.drop_stream_table('st_b')");
            rejected("42501", "SELECT pgtrickle.refresh_stream_table('st_b')");
            rejected("42501", "SELECT pgtrickle.alter_stream_table('st_b', schedule => '5m')");
            rejected("42501", "SELECT pgtrickle.create_stream_table('public.x', 'SELECT id FROM src', '1m', 'FULL')");
        } finally {
            exec(c, "RESET ROLE");
        }
    }

    @Test
    void directWritesAreRefused() throws SQLException {
        SQLException e = Sql.fails(c, "42809", "INSERT INTO st_a VALUES (9, 'z')");
        assertThat(e.getMessage()).contains("st_a");
        rejected("42809", "UPDATE st_a SET v = 'z'");
        rejected("42809", "DELETE FROM st_a");
        rejected("42809", "TRUNCATE st_a");
    }

    @Test
    void callsOutsideTheFrontDoorsSayWhereToGo(TestDatabase db) throws SQLException {
        try (Connection plain = db.connect()) {
            SQLException e = Sql.fails(plain, "0A000", "SELECT pgtrickle.refresh_stream_table('st_a')");
            assertThat(e.getMessage()).contains("driver or proxy");
        }
    }
}
