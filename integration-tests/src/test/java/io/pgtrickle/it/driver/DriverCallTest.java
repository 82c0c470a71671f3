package io.pgtrickle.it.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** pgtrickle calls through every JDBC statement kind, answered with the shape PostgreSQL gives. */
@PgTest
class DriverCallTest {
    private Connection c;

    @BeforeEach
    void setUp(TestDatabase db) throws SQLException {
        c = db.connectPgtrickle();
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS src CASCADE");
            s.execute("CREATE TABLE src (id int PRIMARY KEY, v text)");
            s.execute("INSERT INTO src VALUES (1, 'one'), (2, 'two')");
        }
    }

    @AfterEach
    void tearDown() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pgtrickle.drop_stream_table('st')");
        } catch (SQLException ignored) {
            // not every test leaves one
        }
        c.close();
    }

    @Test
    void voidResultLooksLikePostgresql() throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pgtrickle.create_stream_table('st', 'SELECT id, v FROM src', '1m', 'FULL')")) {
            ResultSetMetaData md = rs.getMetaData();
            assertThat(md.getColumnCount()).isEqualTo(1);
            assertThat(md.getColumnLabel(1)).isEqualTo("create_stream_table");
            assertThat(md.getColumnTypeName(1)).isEqualTo("void");
            assertThat(rs.next()).isTrue();
            assertThat(rs.next()).isFalse();
            assertThat(rs.getStatement()).isSameAs(s);
        }
        try (Statement s = c.createStatement()) {
            assertThat(s.execute("SELECT * FROM pgtrickle.refresh_stream_table('st') AS r")).isTrue();
            try (ResultSet rs = s.getResultSet()) {
                assertThat(rs.getMetaData().getColumnLabel(1)).isEqualTo("r");
                assertThat(rs.getStatement()).isSameAs(s);
            }
            // executeUpdate on a SELECT: pgjdbc's own complaint, after the call ran (as with PostgreSQL)
            SQLException e = catchThrowableOfType(SQLException.class,
                    () -> s.executeUpdate("SELECT pgtrickle.refresh_stream_table('st')"));
            assertThat((Throwable) e).isNotNull();
        }
    }

    @Test
    void preparedStatementWithParameters() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pgtrickle.create_stream_table(name => ?, query => ?, schedule => ?::text, refresh_mode => ?)")) {
            ps.setString(1, "st");
            ps.setObject(2, "SELECT id, v FROM src WHERE id > 1");
            ps.setString(3, "30s");
            ps.setObject(4, "FULL", Types.VARCHAR);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getStatement()).isSameAs(ps);
            }
        }
        Oracle.assertStreamTableMatches(c, "st", "SELECT id, v FROM src WHERE id > 1");
        try (PreparedStatement ps = c.prepareStatement("SELECT pgtrickle.refresh_stream_table(?)")) {
            ps.setString(1, "st");
            assertThat(ps.execute()).isTrue();
            assertThat(ps.execute()).as("re-executable").isTrue();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pgtrickle.alter_stream_table(?, initialize => ?)")) {
            ps.setString(1, "st");
            ps.setBoolean(2, true);
            SQLException e = catchThrowableOfType(SQLException.class, ps::execute);
            assertThat(e.getSQLState()).isEqualTo("42883");
        }
    }

    @Test
    void callFormAnswersLikeAProcedure() throws SQLException {
        try (Statement s = c.createStatement()) {
            assertThat(s.execute("CALL pgtrickle.create_stream_table('st', 'SELECT id FROM src', '1m', 'FULL')")).isFalse();
            assertThat(s.execute("call PGTRICKLE.refresh_stream_table(name => 'st');")).isFalse();
        }
        Oracle.assertStreamTableMatches(c, "st", "SELECT id FROM src");
    }

    @Test
    void argumentNotationErrorsArePostgresqlsOwn() throws SQLException {
        try (Statement s = c.createStatement()) {
            SQLException e = catchThrowableOfType(SQLException.class,
                    () -> s.execute("SELECT pgtrickle.create_stream_table(name => 'st', 'SELECT 1 AS x')"));
            assertThat(e.getSQLState()).isEqualTo("42601");
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pgtrickle.refresh_stream_table(name => ?, name => ?)")) {
            ps.setString(1, "a");
            ps.setString(2, "b");
            SQLException e = catchThrowableOfType(SQLException.class, ps::execute);
            assertThat(e.getSQLState()).isEqualTo("42601");
        }
    }

    @Test
    void missingParameterIsPgjdbcsError() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pgtrickle.refresh_stream_table(?)")) {
            SQLException e = catchThrowableOfType(SQLException.class, ps::execute);
            assertThat((Throwable) e).isNotNull();
            assertThat(e.getMessage()).containsIgnoringCase("parameter");
        }
    }

    @Test
    void callableStatementAndJdbcEscape() throws SQLException {
        try (CallableStatement cs = c.prepareCall("{call pgtrickle.create_stream_table(?, ?, '1m', 'FULL')}")) {
            cs.setString(1, "st");
            cs.setString(2, "SELECT id FROM src");
            cs.execute();
        }
        Oracle.assertStreamTableMatches(c, "st", "SELECT id FROM src");
        try (CallableStatement cs = c.prepareCall("SELECT pgtrickle.refresh_stream_table(?)")) {
            cs.setString(1, "st");
            cs.execute();
        }
    }

    @Test
    void notOursPassesThroughUntouched() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pgtrickle.create_stream_table('st', 'SELECT id, v FROM src', '1m', 'FULL')");
            try (ResultSet rs = s.executeQuery("SELECT name, status FROM pgtrickle.pgt_status()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("public.st");
                assertThat(rs.getString(2)).isEqualTo("ACTIVE");
            }
            // a pgtrickle call that is not a statement of its own reaches the server, which says what to do
            SQLException e = catchThrowableOfType(SQLException.class,
                    () -> s.execute("SELECT pgtrickle.refresh_stream_table('st'), 1"));
            assertThat(e.getSQLState()).isEqualTo("0A000");
        }
    }

    @Test
    void shortUrlFormAndUnknownUrls(TestDatabase db) throws SQLException {
        String shortUrl = db.pgtrickleUrl().replace("jdbc:pgtrickle:postgresql://", "jdbc:pgtrickle://");
        try (Connection other = DriverManager.getConnection(shortUrl)) {
            assertThat(other.isWrapperFor(org.postgresql.PGConnection.class)).isTrue();
            try (Statement s = other.createStatement()) {
                s.execute("SELECT pgtrickle.create_stream_table('st', 'SELECT id FROM src', '1m', 'FULL')");
            }
        }
        assertThat(new io.pgtrickle.jdbc.Driver().acceptsURL("jdbc:postgresql://localhost/x")).isFalse();
        assertThat(new io.pgtrickle.jdbc.Driver().connect("jdbc:mysql://localhost/x", new java.util.Properties())).isNull();
    }
}
