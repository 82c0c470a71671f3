package io.pgtrickle.it.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.io.StringReader;
import java.io.StringWriter;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;

/**
 * The pgtrickle driver is a drop-in replacement for pgjdbc: everything an application does with plain
 * pgjdbc keeps working through {@code jdbc:pgtrickle:postgresql://}.
 *
 * <p>Flip {@link #PLAIN_PGJDBC} to check these tests against plain pgjdbc: they must pass there too,
 * which is what makes them a fair drop-in check.
 */
@PgTest
class DriverDropInTest {

    /** The one-line switch: true runs these tests against plain pgjdbc instead of the pgtrickle driver. */
    private static final boolean PLAIN_PGJDBC = false;

    private TestDatabase db;
    private Connection conn;

    @BeforeEach
    void connect(TestDatabase db) throws SQLException {
        this.db = db;
        this.conn = open();
    }

    @AfterEach
    void close() throws SQLException {
        conn.close();
    }

    private Connection open() throws SQLException {
        return PLAIN_PGJDBC ? db.connect() : db.connectPgtrickle();
    }

    @Test
    void executesAStatementBatch() throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.addBatch("CREATE TABLE batch_s (id int)");
            s.addBatch("INSERT INTO batch_s VALUES (1), (2)");
            s.addBatch("INSERT INTO batch_s VALUES (3)");
            assertThat(s.executeBatch()).containsExactly(0, 2, 1);
        }
        assertThat(count("batch_s")).isEqualTo(3);
    }

    @Test
    void executesAPreparedStatementBatch() throws SQLException {
        exec("CREATE TABLE batch_p (id int, name text)");
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO batch_p VALUES (?, ?)")) {
            for (int i = 1; i <= 3; i++) {
                ps.setInt(1, i);
                ps.setString(2, "n" + i);
                ps.addBatch();
            }
            assertThat(ps.executeBatch()).containsExactly(1, 1, 1);
        }
        assertThat(count("batch_p")).isEqualTo(3);
    }

    @Test
    void returnsGeneratedKeys() throws SQLException {
        exec("CREATE TABLE keyed (id serial PRIMARY KEY, code text DEFAULT 'c' || 1)");
        try (Statement s = conn.createStatement()) {
            assertThat(s.executeUpdate("INSERT INTO keyed DEFAULT VALUES", Statement.RETURN_GENERATED_KEYS))
                    .isEqualTo(1);
            try (ResultSet keys = s.getGeneratedKeys()) {
                assertThat(keys.next()).isTrue();
                assertThat(keys.getInt("id")).isEqualTo(1);
            }
        }
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO keyed DEFAULT VALUES", new String[] {"id", "code"})) {
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                assertThat(keys.next()).isTrue();
                assertThat(keys.getMetaData().getColumnCount()).isEqualTo(2);
                assertThat(keys.getInt("id")).isEqualTo(2);
                assertThat(keys.getString("code")).isEqualTo("c1");
            }
        }
    }

    @Test
    void supportsSavepoints() throws SQLException {
        exec("CREATE TABLE saved (id int)");
        conn.setAutoCommit(false);
        exec("INSERT INTO saved VALUES (1)");
        Savepoint kept = conn.setSavepoint("kept");
        exec("INSERT INTO saved VALUES (2)");
        Savepoint undone = conn.setSavepoint();
        exec("INSERT INTO saved VALUES (3)");
        conn.rollback(undone);
        conn.releaseSavepoint(kept);
        conn.commit();
        conn.setAutoCommit(true);
        assertThat(ints("SELECT id FROM saved ORDER BY id")).containsExactly(1, 2);
    }

    @Test
    void metaDataFindsTablesAndReturnsTheSameConnection() throws SQLException {
        exec("CREATE TABLE meta_probe (id int)");
        DatabaseMetaData md = conn.getMetaData();
        assertThat(md.getConnection()).isSameAs(conn);
        try (ResultSet rs = md.getTables(null, "public", "meta_probe", new String[] {"TABLE"})) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("TABLE_NAME")).isEqualTo("meta_probe");
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void statementsAndResultSetsPointBack() throws SQLException {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            assertThat(s.getConnection()).isSameAs(conn);
            assertThat(rs.getStatement()).isSameAs(s);
        }
        try (PreparedStatement ps = conn.prepareStatement("SELECT ?::int"); ) {
            ps.setInt(1, 7);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(ps.getConnection()).isSameAs(conn);
                assertThat(rs.getStatement()).isSameAs(ps);
            }
        }
    }

    @Test
    void unwrapsToPgConnection() throws SQLException {
        assertThat(conn.isWrapperFor(PGConnection.class)).isTrue();
        PGConnection pg = conn.unwrap(PGConnection.class);
        assertThat(pg).isNotNull();
        assertThat(pg.getBackendPID()).isPositive();
    }

    @Test
    void copiesInAndOut() throws Exception {
        exec("CREATE TABLE copied (id int, name text)");
        CopyManager copy = conn.unwrap(PGConnection.class).getCopyAPI();
        long in = copy.copyIn("COPY copied FROM STDIN (FORMAT csv)", new StringReader("1,one\n2,two\n"));
        assertThat(in).isEqualTo(2);
        StringWriter out = new StringWriter();
        long outRows = copy.copyOut("COPY (SELECT * FROM copied ORDER BY id) TO STDOUT (FORMAT csv)", out);
        assertThat(outRows).isEqualTo(2);
        assertThat(out.toString()).isEqualTo("1,one\n2,two\n");
    }

    @Test
    void deliversNotifications() throws SQLException {
        exec("LISTEN dropin_channel");
        try (Connection other = open(); Statement s = other.createStatement()) {
            s.execute("NOTIFY dropin_channel, 'hello'");
        }
        PGNotification[] received = conn.unwrap(PGConnection.class).getNotifications(10_000);
        assertThat(received).isNotNull().hasSize(1);
        assertThat(received[0].getName()).isEqualTo("dropin_channel");
        assertThat(received[0].getParameter()).isEqualTo("hello");
    }

    @Test
    void callsAFunctionWithAnOutParameter() throws SQLException {
        exec("CREATE FUNCTION plus_one(IN x int, OUT y int) LANGUAGE sql AS 'SELECT x + 1'");
        try (CallableStatement cs = conn.prepareCall("{? = call plus_one(?)}")) {
            cs.registerOutParameter(1, Types.INTEGER);
            cs.setInt(2, 41);
            cs.execute();
            assertThat(cs.getInt(1)).isEqualTo(42);
        }
        try (CallableStatement cs = conn.prepareCall("{call plus_one(?, ?)}")) {
            cs.setInt(1, 1);
            cs.registerOutParameter(2, Types.INTEGER);
            cs.execute();
            assertThat(cs.getInt(2)).isEqualTo(2);
        }
    }

    @Test
    void queryTimeoutCancelsWithSqlState57014() throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.setQueryTimeout(1);
            long start = System.nanoTime();
            assertThatThrownBy(() -> s.execute("SELECT pg_sleep(10)"))
                    .isInstanceOf(SQLException.class)
                    .extracting(e -> ((SQLException) e).getSQLState())
                    .isEqualTo("57014");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(8_000);
        }
        assertThat(ints("SELECT 1")).containsExactly(1); // the connection is still usable
    }

    @Test
    void errorsKeepPostgresSqlStateAndServerMessage() throws SQLException {
        try (Statement s = conn.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM no_such_table"))
                    .isInstanceOfSatisfying(PSQLException.class, e -> {
                        assertThat(e.getSQLState()).isEqualTo("42P01");
                        assertThat(e.getServerErrorMessage()).isNotNull();
                        assertThat(e.getServerErrorMessage().getSQLState()).isEqualTo("42P01");
                        assertThat(e.getServerErrorMessage().getMessage()).contains("no_such_table");
                    });
        }
    }

    private void exec(String sql) throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.execute(sql);
        }
    }

    private int count(String table) throws SQLException {
        return ints("SELECT count(*)::int FROM " + table).get(0);
    }

    private List<Integer> ints(String sql) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }
}
