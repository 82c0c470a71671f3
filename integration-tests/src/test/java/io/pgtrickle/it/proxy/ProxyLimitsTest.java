package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import io.pgtrickle.proxy.ProxyServer;
import io.pgtrickle.proxy.ProxySettings;
import io.pgtrickle.proxy.UpstreamTarget;
import java.io.DataInputStream;
import java.io.EOFException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** --max-connections and --login-timeout: a client over the limit, or too slow to log in, is told so. */
@PgTest
class ProxyLimitsTest {

    private static ProxyServer start(TestDatabase db, int max, Duration login) throws Exception {
        return ProxyServer.start(new ProxySettings(new InetSocketAddress("127.0.0.1", 0),
                new UpstreamTarget(db.host(), db.port(), UpstreamTarget.SslMode.DISABLE), null, null,
                new ProxySettings.Limits(max, login)));
    }

    private static String url(ProxyServer proxy, TestDatabase db) {
        return "jdbc:postgresql://127.0.0.1:" + proxy.localAddress().getPort() + "/" + db.name() + "?user=" + db.user();
    }

    @Test
    void clientsOverTheLimitGetPostgresqlsError(TestDatabase db) throws Exception {
        try (ProxyServer proxy = start(db, 2, Duration.ofSeconds(60));
                Connection a = DriverManager.getConnection(url(proxy, db));
                Connection b = DriverManager.getConnection(url(proxy, db))) {
            SQLException e = catchThrowableOfType(SQLException.class, () -> DriverManager.getConnection(url(proxy, db)));
            assertThat(e.getSQLState()).isEqualTo("53300");
            a.close();
            for (int i = 0; i < 50; i++) { // the freed slot is counted back once the channel closed
                try (Connection c = DriverManager.getConnection(url(proxy, db))) {
                    assertThat(c.isValid(5)).isTrue();
                    return;
                } catch (SQLException full) {
                    Thread.sleep(100);
                }
            }
            throw new AssertionError("the slot of a closed client was not freed");
        }
    }

    @Test
    void silentClientIsDroppedAfterTheLoginTimeout(TestDatabase db) throws Exception {
        try (ProxyServer proxy = start(db, 0, Duration.ofMillis(500));
                Socket s = new Socket("127.0.0.1", proxy.localAddress().getPort())) {
            s.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte type = in.readByte(); // we never sent a startup packet
            byte[] body = new byte[in.readInt() - 4];
            in.readFully(body);
            assertThat((char) type).isEqualTo('E');
            assertThat(new String(body, StandardCharsets.UTF_8)).contains("FATAL").contains("timeout");
            assertThat(catchThrowableOfType(EOFException.class, in::readByte)).isNotNull();
            // a client that logs in in time is not affected
            try (Connection c = DriverManager.getConnection(url(proxy, db))) {
                Thread.sleep(800);
                assertThat(c.isValid(5)).isTrue();
            }
        }
    }
}
