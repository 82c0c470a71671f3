package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyManager;

/**
 * Plain pgjdbc through the proxy (a {@code jdbc:postgresql} URL, extended protocol for everything):
 * batches pipelined before one Sync, named server-side statements after prepareThreshold, the COPY
 * sub-protocol, a query timeout (CancelRequest), LISTEN/NOTIFY between two proxied sessions, and a
 * large result streamed through a portal with a fetch size (PortalSuspended).
 */
class ProxyPgjdbcTest extends ProxyTestBase {
    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void batchesOfPreparedAndPlainStatements() throws SQLException {
        try (Connection c = proxy.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE batched (id int PRIMARY KEY, v text)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO batched VALUES (?, ?)")) {
                for (int i = 1; i <= 1000; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "v" + i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                assertThat(counts).hasSize(1000);
                assertThat(Arrays.stream(counts).allMatch(n -> n == 1 || n == Statement.SUCCESS_NO_INFO)).isTrue();
            }
            s.addBatch("UPDATE batched SET v = 'x' WHERE id <= 10");
            s.addBatch("DELETE FROM batched WHERE id > 990");
            s.addBatch("INSERT INTO batched VALUES (5000, 'y')");
            assertThat(s.executeBatch()).containsExactly(10, 10, 1);
            assertThat(count(c, "SELECT count(*) FROM batched")).isEqualTo(991);
            assertThat(count(c, "SELECT count(*) FROM batched WHERE v = 'x'")).isEqualTo(10);

            // a failing batch: pgjdbc reports BatchUpdateException with the server's SQLSTATE
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO batched VALUES (?, 'dup')")) {
                ps.setInt(1, 6000);
                ps.addBatch();
                ps.setInt(1, 1);
                ps.addBatch();
                SQLException e = catchThrowableOfType(SQLException.class, ps::executeBatch);
                assertThat(e.getSQLState()).isEqualTo("23505");
            }
            assertThat(count(c, "SELECT 1")).isEqualTo(1);
        }
    }

    @Test
    void validateQueryAnswersRowsInBothProtocols() throws SQLException {
        try (Connection c = proxy.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE validated (id int PRIMARY KEY, v text)");
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM pgtrickle.validate_query(?)")) {
                ps.setString(1, "SELECT id, upper(v) AS u FROM validated");
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.getMetaData().getColumnCount()).isEqualTo(3);
                    assertThat(rs.getMetaData().getColumnName(3)).isEqualTo("severity");
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3))
                            .isEqualTo("query|valid: 2 columns (id integer, u text)|INFO");
                    int rows = 1;
                    while (rs.next()) {
                        rows++;
                    }
                    assertThat(rows).isGreaterThanOrEqualTo(4);
                }
            }
            // in a select list: one record column, in text through the simple protocol and the extended one
            try (ResultSet rs = s.executeQuery("SELECT pgtrickle.validate_query('SELECT nope FROM validated')")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("(query,\"42703: column \"\"nope\"\" does not exist\",ERROR)");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pgtrickle.validate_query(?) AS r")) {
                ps.setString(1, "SELECT nope FROM validated");
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.getMetaData().getColumnName(1)).isEqualTo("r");
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("(query,\"42703: column \"\"nope\"\" does not exist\",ERROR)");
                }
            }
            s.execute("DROP TABLE validated");
        }
    }

    @Test
    void serverSidePreparedStatementsAfterTheThreshold() throws SQLException {
        try (Connection c = DriverManager.getConnection(proxy.jdbcUrl() + "&prepareThreshold=2");
                PreparedStatement ps = c.prepareStatement("SELECT ?::int * 2, current_setting('application_name')")) {
            for (int i = 1; i <= 10; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(2 * i);
                    assertThat(rs.getString(2)).isEqualTo("PostgreSQL JDBC Driver");
                }
            }
            assertThat(ps.unwrap(PGStatement.class).isUseServerPrepare()).isTrue();
            // the named statement lives in the server session behind the proxy
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT name, statement FROM pg_prepared_statements"
                            + " WHERE statement LIKE '%application_name%' AND name LIKE 'S\\_%'")) {
                assertThat(rs.next()).as("a named statement S_n").isTrue();
                assertThat(rs.getString(2)).contains("$1::int * 2");
            }
        }
    }

    @Test
    void binaryTransferAndMetadata() throws SQLException {
        try (Connection c = DriverManager.getConnection(proxy.jdbcUrl() + "&prepareThreshold=-1");
                PreparedStatement ps = c.prepareStatement(
                        "SELECT ?::bigint AS b, ?::bytea AS bytes, now() AS t, 1.5::float8 AS f, NULL::int AS n")) {
            // standalone Describe
            assertThat(ps.getMetaData().getColumnLabel(2)).isEqualTo("bytes");
            ps.setLong(1, Long.MAX_VALUE);
            ps.setBytes(2, new byte[] {0, 1, (byte) 0xff});
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(Long.MAX_VALUE);
                assertThat(rs.getBytes(2)).containsExactly(0, 1, 0xff);
                assertThat(rs.getTimestamp(3)).isNotNull();
                assertThat(rs.getDouble(4)).isEqualTo(1.5);
                assertThat(rs.getObject(5)).isNull();
            }
        }
    }

    @Test
    void copyInAndOut() throws Exception {
        try (Connection c = proxy.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE copy_jdbc (id int, name text)");
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            StringBuilder data = new StringBuilder();
            for (int i = 0; i < 20_000; i++) {
                data.append(i).append('\t').append("name ").append(i).append('\n');
            }
            long in = copy.copyIn("COPY copy_jdbc FROM STDIN",
                    new ByteArrayInputStream(data.toString().getBytes(StandardCharsets.UTF_8)));
            assertThat(in).isEqualTo(20_000);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long outRows = copy.copyOut("COPY (SELECT * FROM copy_jdbc ORDER BY id) TO STDOUT", out);
            assertThat(outRows).isEqualTo(20_000);
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(data.toString());

            // a COPY that fails mid-stream leaves the session usable
            SQLException e = catchThrowableOfType(SQLException.class, () -> copy.copyIn(
                    "COPY copy_jdbc FROM STDIN", new ByteArrayInputStream("1\tok\nnot-a-number\tbad\n".getBytes())));
            assertThat(e.getSQLState()).isEqualTo("22P02");
            assertThat(count(c, "SELECT count(*) FROM copy_jdbc")).isEqualTo(20_000);
        }
    }

    @Test
    void queryTimeoutCancelsTheStatement() throws SQLException {
        try (Connection c = proxy.connect(); Statement s = c.createStatement()) {
            s.setQueryTimeout(1);
            long start = System.nanoTime();
            SQLException e = catchThrowableOfType(SQLException.class, () -> s.execute("SELECT pg_sleep(10)"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat((Object) e).as("an exception").isNotNull();
            assertThat(e.getSQLState()).isEqualTo("57014");
            assertThat(e.getMessage()).contains("canceling statement due to user request");
            assertThat(millis).isLessThan(5_000);
            // the connection is fine afterwards
            s.setQueryTimeout(0);
            assertThat(count(c, "SELECT 7")).isEqualTo(7);
        }
    }

    @Test
    void explicitCancelFromAnotherThread() throws Exception {
        try (Connection c = proxy.connect(); Statement s = c.createStatement()) {
            Thread canceller = new Thread(() -> {
                try {
                    Thread.sleep(700);
                    s.cancel();
                } catch (Exception ignored) {
                    // the assertion below reports it
                }
            });
            canceller.start();
            SQLException e = catchThrowableOfType(SQLException.class, () -> s.execute("SELECT pg_sleep(10)"));
            canceller.join();
            assertThat(e.getSQLState()).isEqualTo("57014");
            assertThat(count(c, "SELECT 8")).isEqualTo(8);
        }
    }

    @Test
    void listenNotifyBetweenTwoProxiedConnections() throws SQLException {
        try (Connection listener = proxy.connect(); Connection notifier = proxy.connect();
                Statement ls = listener.createStatement(); Statement ns = notifier.createStatement()) {
            ls.execute("LISTEN proxy_channel");
            ns.execute("NOTIFY proxy_channel, 'first'");
            ns.execute("SELECT pg_notify('proxy_channel', 'second')");
            PGConnection pg = listener.unwrap(PGConnection.class);
            java.util.List<String> payloads = new java.util.ArrayList<>();
            long deadline = System.currentTimeMillis() + 10_000;
            while (payloads.size() < 2 && System.currentTimeMillis() < deadline) {
                PGNotification[] got = pg.getNotifications(1000); // reads the socket while waiting
                if (got != null) {
                    for (PGNotification n : got) {
                        assertThat(n.getName()).isEqualTo("proxy_channel");
                        payloads.add(n.getParameter());
                    }
                }
            }
            assertThat(payloads).containsExactly("first", "second");
            // the notifying backend's pid comes through unchanged (BackendKeyData is relayed as is)
            long notifierPid = count(notifier, "SELECT pg_backend_pid()");
            ns.execute("NOTIFY proxy_channel, 'third'");
            PGNotification[] third = pg.getNotifications(5000);
            assertThat(third).hasSize(1);
            assertThat(third[0].getPID()).isEqualTo((int) notifierPid);
            assertThat(notifier.unwrap(PGConnection.class).getBackendPID()).isEqualTo((int) notifierPid);
        }
    }

    @Test
    void aLargeResultStreamedWithAFetchSize() throws SQLException {
        try (Connection c = proxy.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT g, repeat('x', 100) FROM generate_series(1, 200000) g ORDER BY g")) {
                ps.setFetchSize(1000);
                long rows = 0;
                long sum = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        sum += rs.getLong(1);
                        if (rows == 1) {
                            assertThat(rs.getString(2)).hasSize(100);
                        }
                    }
                }
                assertThat(rows).isEqualTo(200_000);
                assertThat(sum).isEqualTo(200_000L * 200_001L / 2);
            }
            c.commit();
            // and all at once, without a fetch size (one Execute, every DataRow relayed)
            c.setAutoCommit(true);
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT g FROM generate_series(1, 200000) g")) {
                long rows = 0;
                while (rs.next()) {
                    rows++;
                }
                assertThat(rows).isEqualTo(200_000);
            }
        }
    }

    @Test
    void serverErrorsAndNoticesComeThroughWithTheirFields() throws SQLException {
        try (Connection c = proxy.connect(); Statement s = c.createStatement()) {
            SQLException e = catchThrowableOfType(SQLException.class, () -> s.execute("SELECT * FROM no_such_table"));
            assertThat(e.getSQLState()).isEqualTo("42P01");
            org.postgresql.util.ServerErrorMessage m = ((org.postgresql.util.PSQLException) e).getServerErrorMessage();
            assertThat(m.getSeverity()).isEqualTo("ERROR");
            assertThat(m.getPosition()).isEqualTo(15);
            s.execute("DO $$ BEGIN RAISE NOTICE 'hello from %', 'plpgsql'; END $$");
            assertThat((Object) s.getWarnings()).isNotNull();
            assertThat(s.getWarnings().getMessage()).contains("hello from plpgsql");
            // ParameterStatus from the server reaches the driver
            s.execute("SET application_name = 'through the proxy'");
            assertThat(c.getClientInfo("ApplicationName")).isEqualTo("through the proxy");
        }
    }
}
