package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgtrickle.it.harness.TestDatabase;
import io.pgtrickle.proxy.ProxyServer;
import io.pgtrickle.proxy.ProxySettings;
import io.pgtrickle.proxy.UpstreamTarget;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How proxied sessions end: a client's Terminate or a killed client ends its server session too (no
 * backend is left behind), and an unreachable server is reported with SQLSTATE 08006 rather than a
 * silently closed socket.
 */
class ProxySessionEndTest extends ProxyTestBase {
    /** Waits until the backend is gone from pg_stat_activity (seen over a direct connection). */
    private static boolean backendGone(TestDatabase db, int pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, pid);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return true;
                    }
                }
                Thread.sleep(50);
            }
        }
        return false;
    }

    @Test
    void closingAClientEndsItsServerSession(TestDatabase db) throws Exception {
        int pid;
        try (Connection c = proxy.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            pid = rs.getInt(1);
        }
        assertThat(backendGone(db, pid)).as("backend %d ends after the client's Terminate", pid).isTrue();
    }

    @Test
    void aKilledClientEndsItsServerSession(TestDatabase db) throws Exception {
        String psql = ExternalClient.require("psql");
        ProcessBuilder pb = new ProcessBuilder(List.of(psql, "-X", "-q", "-h", "127.0.0.1", "-p",
                String.valueOf(proxy.port()), "-U", db.user(), "-d", db.name()));
        pb.environment().put("PGAPPNAME", "killed-client");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start(); // stdin stays open: psql sits idle, connected
        try {
            int pid = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                while (pid < 0 && System.nanoTime() < deadline) {
                    try (ResultSet rs = s.executeQuery(
                            "SELECT pid FROM pg_stat_activity WHERE application_name = 'killed-client'")) {
                        if (rs.next()) {
                            pid = rs.getInt(1);
                        }
                    }
                    Thread.sleep(50);
                }
            }
            assertThat(pid).as("psql's backend shows up").isPositive();
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no Terminate message
            assertThat(backendGone(db, pid)).as("backend %d ends after its client was killed", pid).isTrue();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void anUnreachableServerIsReportedAs08006(TestDatabase db) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ProxySettings settings = new ProxySettings(new InetSocketAddress("127.0.0.1", 0),
                new UpstreamTarget("127.0.0.1", closedPort, UpstreamTarget.SslMode.DISABLE), null, null);
        try (ProxyServer server = ProxyServer.start(settings)) {
            String url = "jdbc:postgresql://127.0.0.1:" + server.localAddress().getPort() + "/" + db.name()
                    + "?user=" + db.user() + "&connectTimeout=10";
            SQLException e = catchThrowableOfType(SQLException.class, () -> DriverManager.getConnection(url).close());
            assertThat(e.getSQLState()).isEqualTo("08006");
            assertThat(e.getMessage()).contains("could not connect to the PostgreSQL server");
        }
    }
}
