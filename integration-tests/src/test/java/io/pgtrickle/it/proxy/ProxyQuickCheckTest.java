package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seed's quick check through the proxy, with psql and with plain pgjdbc (simple protocol calls). */
class ProxyQuickCheckTest extends ProxyTestBase {
    private static ExternalClient.Result psql(TestDatabase db, String script) throws Exception {
        String psql = ExternalClient.require("psql");
        return ExternalClient.run(List.of(psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", "127.0.0.1", "-p", String.valueOf(proxy.port()), "-U", db.user(), "-d", db.name()),
                Map.of("PGCONNECT_TIMEOUT", "10"), script, 60);
    }

    @Test
    void quickCheckWithPsql(TestDatabase db) throws Exception {
        ExternalClient.Result r = psql(db, """
                CREATE TABLE test_source (id INT PRIMARY KEY, val TEXT);
                INSERT INTO test_source VALUES (1,'hello');
                SELECT pgtrickle.create_stream_table('test_st', 'SELECT id, val FROM test_source', '1m', 'FULL');
                SELECT * FROM test_st;
                SELECT pgtrickle.drop_stream_table('test_st');
                DROP TABLE test_source;
                SELECT count(*) FROM pgtrickle.pgt_stream_tables;
                """).succeeded();
        // create and drop print their void value: an empty line each, as with the original extension
        assertThat(r.stdout().lines().toList()).containsExactly("", "1|hello", "", "0");
    }

    @Test
    void callsInsideAPsqlTransactionRollBackTogether(TestDatabase db) throws Exception {
        psql(db, """
                CREATE TABLE tx_src (id int);
                BEGIN;
                SELECT pgtrickle.create_stream_table('tx_a', 'SELECT id FROM tx_src', '1m', 'FULL');
                SELECT pgtrickle.create_stream_table('tx_b', 'SELECT id FROM tx_src', '1m', 'FULL');
                ROLLBACK;
                """).succeeded();
        ExternalClient.Result r = psql(db, "SELECT count(*) FROM pg_class WHERE relname IN ('tx_a', 'tx_b');").succeeded();
        assertThat(r.stdout().strip()).isEqualTo("0");
        assertThat(r.stderr()).doesNotContain("WARNING");
    }

    @Test
    void callsThroughPlainPgjdbcSimpleProtocol(TestDatabase db) throws SQLException {
        try (Connection c = java.sql.DriverManager.getConnection(proxy.jdbcUrl() + "&preferQueryMode=simple");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE src (id int PRIMARY KEY, v text)");
            s.execute("INSERT INTO src VALUES (1, 'a'), (2, 'b')");
            try (ResultSet rs = s.executeQuery(
                    "SELECT pgtrickle.create_stream_table('st', 'SELECT id, v FROM src', '1m', 'FULL')")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getMetaData().getColumnLabel(1)).isEqualTo("create_stream_table");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM st")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            SQLException e = org.assertj.core.api.Assertions.catchThrowableOfType(SQLException.class,
                    () -> s.execute("SELECT pgtrickle.create_stream_table('st', 'SELECT 1 AS x', '1m', 'FULL')"));
            assertThat(e.getSQLState()).isEqualTo("42P07");
            // the session goes on normally after an intercepted error
            try (ResultSet rs = s.executeQuery("SELECT 41 + 1")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
            s.execute("SELECT pgtrickle.drop_stream_table('st')");
        }
    }
}
