package io.pgtrickle.it.proxy;

import io.pgtrickle.it.harness.TestDatabase;
import io.pgtrickle.proxy.ProxyServer;
import io.pgtrickle.proxy.ProxySettings;
import io.pgtrickle.proxy.UpstreamTarget;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** A proxy in front of a test class's database, on a free port. */
final class RunningProxy implements AutoCloseable {
    private final ProxyServer server;
    private final TestDatabase db;

    private RunningProxy(ProxyServer server, TestDatabase db) {
        this.server = server;
        this.db = db;
    }

    static RunningProxy start(TestDatabase db) throws Exception {
        ProxySettings settings = new ProxySettings(new InetSocketAddress("127.0.0.1", 0),
                new UpstreamTarget(db.host(), db.port(), UpstreamTarget.SslMode.DISABLE), null, null);
        return new RunningProxy(ProxyServer.start(settings), db);
    }

    int port() {
        return server.localAddress().getPort();
    }

    /** Plain pgjdbc, pointed at the proxy. */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + db.name() + "?user=" + db.user();
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl());
    }

    @Override
    public void close() {
        server.close();
    }
}
