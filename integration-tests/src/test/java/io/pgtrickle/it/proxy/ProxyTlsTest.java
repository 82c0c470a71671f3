package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslContextBuilder;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import io.pgtrickle.proxy.ProxyServer;
import io.pgtrickle.proxy.ProxySettings;
import io.pgtrickle.proxy.UpstreamTarget;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS between clients and the proxy (SSLRequest answered 'S'), with psql and pgjdbc. */
@PgTest
class ProxyTlsTest {
    private static ProxyServer proxy;
    private static Path dir;

    @BeforeAll
    static void start(TestDatabase db) throws Exception {
        String openssl = ExternalClient.require("openssl");
        dir = Files.createTempDirectory("proxy-tls");
        ExternalClient.run(List.of(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-keyout", dir.resolve("key.pem").toString(),
                "-out", dir.resolve("cert.pem").toString()), Map.of(), null, 60).succeeded();
        ProxySettings settings = new ProxySettings(new InetSocketAddress("127.0.0.1", 0),
                new UpstreamTarget(db.host(), db.port(), UpstreamTarget.SslMode.DISABLE),
                SslContextBuilder.forServer(dir.resolve("cert.pem").toFile(), dir.resolve("key.pem").toFile()).build(),
                null);
        proxy = ProxyServer.start(settings);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        for (String f : List.of("key.pem", "cert.pem")) {
            Files.deleteIfExists(dir.resolve(f));
        }
        Files.deleteIfExists(dir);
    }

    @Test
    void psqlWithSslmodeRequire(TestDatabase db) throws Exception {
        String psql = ExternalClient.require("psql");
        ExternalClient.Result r = ExternalClient.run(List.of(psql, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "host=127.0.0.1 port=" + proxy.localAddress().getPort() + " user=" + db.user() + " dbname=" + db.name()
                        + " sslmode=require"),
                Map.of(), """
                \\conninfo
                CREATE TABLE tls_src (id int);
                INSERT INTO tls_src VALUES (7);
                SELECT pgtrickle.create_stream_table('tls_st', 'SELECT id FROM tls_src', '1m', 'FULL');
                SELECT * FROM tls_st;
                SELECT pgtrickle.drop_stream_table('tls_st');
                """, 60).succeeded();
        assertThat(r.stdout()).contains("SSL connection").contains("7");
    }

    @Test
    void pgjdbcWithSslmodeRequire(TestDatabase db) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + proxy.localAddress().getPort() + "/" + db.name() + "?user="
                + db.user() + "&sslmode=require";
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE jtls (id int)");
            s.execute("SELECT pgtrickle.create_stream_table('jtls_st', 'SELECT id FROM jtls', '1m', 'FULL')");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM jtls_st")) {
                assertThat(rs.next()).isTrue();
            }
            s.execute("SELECT pgtrickle.drop_stream_table('jtls_st')");
        }
    }
}
