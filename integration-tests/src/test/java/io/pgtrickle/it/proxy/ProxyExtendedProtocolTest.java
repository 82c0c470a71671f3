package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgtrickle.it.harness.Oracle;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** pgtrickle calls in the extended protocol (plain pgjdbc's default), through the proxy. */
class ProxyExtendedProtocolTest extends ProxyTestBase {
    private Connection c;

    @BeforeEach
    void connect() throws SQLException {
        c = DriverManager.getConnection(proxy.jdbcUrl() + "&prepareThreshold=2");
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS src CASCADE");
            s.execute("CREATE TABLE src (id int PRIMARY KEY, v text)");
            s.execute("INSERT INTO src VALUES (1, 'a'), (2, 'b'), (3, NULL)");
        }
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    @Test
    void preparedCallsWithParametersRepeatedPastThePrepareThreshold() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pgtrickle.create_stream_table(name => ?, query => ?, schedule => ?, refresh_mode => ?)")) {
            ps.setString(1, "st");
            ps.setString(2, "SELECT id, v FROM src");
            ps.setString(3, "1m");
            ps.setString(4, "FULL");
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.getMetaData().getColumnLabel(1)).isEqualTo("create_stream_table");
                assertThat(rs.getMetaData().getColumnTypeName(1)).isEqualTo("void");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEmpty();
                assertThat(rs.next()).isFalse();
            }
        }
        try (PreparedStatement refresh = c.prepareStatement("SELECT pgtrickle.refresh_stream_table(?)");
                Statement s = c.createStatement()) {
            for (int i = 0; i < 6; i++) { // named server-side statements after the threshold: answered by us
                s.execute("INSERT INTO src VALUES (" + (10 + i) + ", 'x')");
                refresh.setString(1, "st");
                assertThat(refresh.execute()).isTrue();
                Oracle.assertStreamTableMatches(c, "st", "SELECT id, v FROM src");
            }
        }
        try (PreparedStatement drop = c.prepareStatement("SELECT pgtrickle.drop_stream_table(?)")) {
            drop.setString(1, "st");
            drop.execute();
        }
    }

    @Test
    void errorsKeepTheSessionUsableAndAbortTransactions() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pgtrickle.create_stream_table(?, 'SELECT 1 AS x', '1m', ?)")) {
            ps.setString(1, "e1");
            ps.setString(2, "NOPE");
            SQLException e = catchThrowableOfType(SQLException.class, ps::execute);
            assertThat(e.getSQLState()).isEqualTo("22023");
            try (ResultSet rs = c.createStatement().executeQuery("SELECT 6 * 7")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
            c.setAutoCommit(false);
            e = catchThrowableOfType(SQLException.class, ps::execute);
            assertThat(e.getSQLState()).isEqualTo("22023");
            e = catchThrowableOfType(SQLException.class, () -> c.createStatement().execute("SELECT 1"));
            assertThat(e.getSQLState()).isEqualTo("25P02");
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    @Test
    void consecutiveCallsStayInTheClientsTransaction() throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("SELECT pgtrickle.create_stream_table(?, 'SELECT id FROM src', '1m', 'FULL')")) {
            for (String name : new String[] {"t1", "t2", "t3"}) {
                ps.setString(1, name);
                ps.execute();
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pgtrickle.create_stream_table('t4', 'SELECT id FROM src', '1m', 'FULL')");
            s.execute("SELECT pgtrickle.refresh_stream_table('t1')");
        }
        c.rollback();
        c.setAutoCommit(true);
        try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_class WHERE relname IN ('t1','t2','t3','t4')")) {
            rs.next();
            assertThat(rs.getInt(1)).as("all four calls rolled back with the client's transaction").isZero();
        }
    }

    @Test
    void aBatchMixingCallsAndStatementsRunsInOrderInOneTransaction() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pgtrickle.create_stream_table('mixed', 'SELECT id, v FROM src', '1m', 'FULL')");
            s.addBatch("INSERT INTO src VALUES (10, 'x')");
            s.addBatch("CALL pgtrickle.refresh_stream_table('mixed')");
            s.addBatch("INSERT INTO src VALUES (11, 'y')");
            s.addBatch("UPDATE src SET v = 'z' WHERE id = 1");
            int[] counts = s.executeBatch();
            assertThat(counts).hasSize(4);
            assertThat(counts[0]).isEqualTo(1);
            assertThat(counts[2]).isEqualTo(1);
            assertThat(counts[3]).isEqualTo(1);
            try (ResultSet rs = s.executeQuery("SELECT string_agg(id || ':' || coalesce(v, '-'), ',' ORDER BY id) FROM mixed")) {
                rs.next();
                assertThat(rs.getString(1)).as("refreshed after the first insert, before the rest")
                        .isEqualTo("1:a,2:b,3:-,10:x");
            }
            s.execute("SELECT pgtrickle.refresh_stream_table('mixed')");
            Oracle.assertStreamTableMatches(c, "mixed", "SELECT id, v FROM src");
        }
    }

    @Test
    void aFailingCallInAMixedBatchRollsTheWholeBatchBack() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.addBatch("INSERT INTO src VALUES (20, 'x')");
            s.addBatch("CALL pgtrickle.refresh_stream_table('no_such_table')");
            s.addBatch("INSERT INTO src VALUES (21, 'y')");
            SQLException e = catchThrowableOfType(SQLException.class, s::executeBatch);
            assertThat((Throwable) e).isNotNull();
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM src WHERE id >= 20")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void aFailingStatementInAMixedBatchStopsItBeforeTheCall() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pgtrickle.create_stream_table('mixed_fail', 'SELECT id FROM src', '1m', 'FULL')");
            s.addBatch("INSERT INTO src VALUES (1, 'duplicate key')");
            s.addBatch("CALL pgtrickle.drop_stream_table('mixed_fail')");
            SQLException e = catchThrowableOfType(SQLException.class, s::executeBatch);
            assertThat(e.getSQLState()).isEqualTo("23505");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'mixed_fail'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the call after the failure never ran").isEqualTo(1);
            }
            assertThat(c.isValid(5)).isTrue();
        }
    }

    @Test
    void batchOfCallsIsOneImplicitTransaction() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pgtrickle.create_stream_table(?, ?, '1m', 'FULL')")) {
            ps.setString(1, "b1");
            ps.setString(2, "SELECT id FROM src");
            ps.addBatch();
            ps.setString(1, "b2");
            ps.setString(2, "SELECT v FROM src");
            ps.addBatch();
            // pgjdbc, like with PostgreSQL, refuses a SELECT in a batch, after the batch ran
            catchThrowableOfType(SQLException.class, ps::executeBatch);
        }
        try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pgtrickle.pgt_stream_tables")) {
            rs.next();
            assertThat(rs.getInt(1)).isIn(0, 2);
        }
    }

    @Test
    void warningsArriveAsSqlWarnings() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pgtrickle.create_stream_table(?, 'SELECT id, random() AS r FROM src')")) {
            ps.setString(1, "auto_st");
            ps.execute();
            SQLWarning w = ps.getWarnings();
            assertThat((Throwable) w).isNotNull();
            assertThat(w.getMessage()).contains("FULL");
        }
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pgtrickle.drop_stream_table('auto_st')");
        }
    }
}
