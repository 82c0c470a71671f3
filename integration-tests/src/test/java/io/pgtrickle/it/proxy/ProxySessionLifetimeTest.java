package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import io.pgtrickle.proxy.ProxyServer;
import io.pgtrickle.proxy.ProxySettings;
import io.pgtrickle.proxy.UpstreamTarget;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How sessions end besides the client's Terminate: the idle timeouts (as PostgreSQL's
 * idle_session_timeout and idle_in_transaction_session_timeout), and the graceful stop that lets
 * statements and transactions under way finish, then ends what still runs after the drain timeout.
 * Every ending is a FATAL ErrorResponse with PostgreSQL's SQLSTATE and message, then a close.
 */
@PgTest
class ProxySessionLifetimeTest {

    private static ProxyServer start(TestDatabase db, Duration idle, Duration idleInTransaction, Duration drain)
            throws Exception {
        return ProxyServer.start(new ProxySettings(new InetSocketAddress("127.0.0.1", 0),
                new UpstreamTarget(db.host(), db.port(), UpstreamTarget.SslMode.DISABLE), null, null,
                new ProxySettings.Limits(0, Duration.ofSeconds(60), idle, idleInTransaction, drain)));
    }

    private static WireClient login(ProxyServer proxy, TestDatabase db) throws Exception {
        return WireClient.login(proxy.localAddress().getPort(), db.user(), db.name());
    }

    @BeforeEach
    void table(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS lifetime; CREATE TABLE lifetime (id int)");
        }
    }

    private static int rows(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM lifetime")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aSilentClientOutsideATransactionIsEndedWith57P05(TestDatabase db) throws Exception {
        try (ProxyServer proxy = start(db, Duration.ofMillis(600), Duration.ZERO, Duration.ofSeconds(5));
                WireClient client = login(proxy, db)) {
            assertThat(client.query("SELECT 1")).isEqualTo('I');
            long start = System.nanoTime();
            Map<Character, String> error = client.fatalThenClose();
            assertThat(error).containsEntry('V', "FATAL").containsEntry('C', "57P05")
                    .containsEntry('M', "terminating connection due to idle-session timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        }
    }

    @Test
    void aSilentClientInsideATransactionIsEndedWith25P03AndItsTransactionRollsBack(TestDatabase db) throws Exception {
        try (ProxyServer proxy = start(db, Duration.ZERO, Duration.ofMillis(600), Duration.ofSeconds(5));
                WireClient client = login(proxy, db)) {
            assertThat(client.query("BEGIN; INSERT INTO lifetime VALUES (1)")).isEqualTo('T');
            Map<Character, String> error = client.fatalThenClose();
            assertThat(error).containsEntry('C', "25P03")
                    .containsEntry('M', "terminating connection due to idle-in-transaction timeout");
        }
        assertThat(rows(db)).isZero();
    }

    @Test
    void onlyTheTimeoutForTheSessionsStateApplies(TestDatabase db) throws Exception {
        // idle outside a transaction is allowed for long; inside one only briefly
        try (ProxyServer proxy = start(db, Duration.ofSeconds(60), Duration.ofMillis(400), Duration.ofSeconds(5));
                WireClient client = login(proxy, db)) {
            Thread.sleep(1000);
            assertThat(client.query("SELECT 1")).as("idle outside a transaction: still served").isEqualTo('I');
        }
    }

    @Test
    void aLongStatementOrABusyClientIsNotIdle(TestDatabase db) throws Exception {
        try (ProxyServer proxy = start(db, Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofSeconds(5));
                WireClient client = login(proxy, db)) {
            assertThat(client.query("SELECT pg_sleep(1.5)")).as("the server was busy, not the client").isEqualTo('I');
            for (int i = 0; i < 10; i++) { // 2 s of traffic, never 0.5 s of silence
                assertThat(client.query("BEGIN; INSERT INTO lifetime VALUES (" + i + "); COMMIT")).isEqualTo('I');
                Thread.sleep(200);
            }
        }
        assertThat(rows(db)).isEqualTo(10);
    }

    @Test
    void stoppingLetsTransactionsFinishThenEndsEachSessionAtItsBoundary(TestDatabase db) throws Exception {
        ProxyServer proxy = start(db, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(10));
        int port = proxy.localAddress().getPort();
        try (WireClient idle = login(proxy, db); WireClient busy = login(proxy, db)) {
            assertThat(busy.query("BEGIN; INSERT INTO lifetime VALUES (1)")).isEqualTo('T');
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(proxy::close);

            assertThat(idle.fatalThenClose()).as("a session waiting outside a transaction ends at once")
                    .containsEntry('C', "57P01")
                    .containsEntry('M', "terminating connection due to administrator command");
            for (int i = 0; i < 100 && !refused(port); i++) {
                Thread.sleep(50);
            }
            assertThat(refused(port)).as("no new clients while stopping").isTrue();

            assertThat(busy.query("INSERT INTO lifetime VALUES (2)")).as("the open transaction goes on").isEqualTo('T');
            assertThat(busy.query("COMMIT")).isEqualTo('I');
            assertThat(busy.fatalThenClose()).containsEntry('C', "57P01");
            // done once the last session ended, long before the drain timeout of 10 minutes
            stopping.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            proxy.close();
        }
        assertThat(rows(db)).as("the transaction finished and committed").isEqualTo(2);
    }

    @Test
    void aTransactionStillOpenAfterTheDrainTimeoutIsEndedAndRollsBack(TestDatabase db) throws Exception {
        ProxyServer proxy = start(db, Duration.ZERO, Duration.ZERO, Duration.ofMillis(700));
        try (WireClient stuck = login(proxy, db)) {
            assertThat(stuck.query("BEGIN; INSERT INTO lifetime VALUES (1)")).isEqualTo('T');
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(proxy::close);
            assertThat(stuck.fatalThenClose()).containsEntry('C', "57P01");
            stopping.get();
        } finally {
            proxy.close();
        }
        for (int i = 0; i < 100 && rows(db) != 0; i++) {
            Thread.sleep(50);
        }
        assertThat(rows(db)).isZero();
    }

    private static boolean refused(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
