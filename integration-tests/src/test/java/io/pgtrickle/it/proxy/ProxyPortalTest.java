package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Portals of pgtrickle calls, which the proxy answers itself, live as the server's do: executing a
 * finished one again never runs the call a second time (a SELECT portal yields no more rows, a CALL
 * portal cannot be run: 55000), and they end with their transaction.
 */
class ProxyPortalTest extends ProxyTestBase {

    @BeforeAll
    static void streamTable(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE portal_src (id int); INSERT INTO portal_src VALUES (1)");
        }
        try (WireClient client = WireClient.login(proxy.port(), db.user(), db.name())) {
            client.query("SELECT pgtrickle.create_stream_table('portal_st', 'SELECT id FROM portal_src', '1m', 'FULL')");
        }
    }

    /** Parse and Bind of {@code sql} (unnamed), then {@code executes} Executes; no Sync or Flush yet. */
    private static void bindAndExecute(WireClient client, String sql, int executes) throws Exception {
        client.parse(sql);
        client.bind();
        for (int i = 0; i < executes; i++) {
            client.execute();
        }
    }

    /** The types of the next {@code n} messages. */
    private static String nextTypes(WireClient client, int n) throws Exception {
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < n; i++) {
            seen.append(client.next().type());
        }
        return seen.toString();
    }

    private static long refreshes(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE initiated_by = 'MANUAL'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The messages' types; an error shows its fields too (so a failing assertion says why). */
    private static String types(List<WireClient.Message> messages) {
        return messages.stream().map(m -> m.type() == 'E' && !m.fields().containsKey('C') ? "E" + m.fields()
                : String.valueOf(m.type())).collect(Collectors.joining());
    }

    private static String withErrors(List<WireClient.Message> messages) {
        return messages.stream().filter(m -> m.type() == 'E').map(m -> m.fields().toString()).collect(Collectors.joining());
    }

    @Test
    void aSelectPortalExecutedTwiceRunsTheCallOnce(TestDatabase db) throws Exception {
        long before = refreshes(db);
        try (WireClient client = WireClient.login(proxy.port(), db.user(), db.name())) {
            bindAndExecute(client, "SELECT pgtrickle.refresh_stream_table('portal_st')", 2);
            client.sync();
            List<WireClient.Message> answer = client.untilReadyMessages();
            assertThat(types(answer)).as(withErrors(answer)).isEqualTo("12DCCZ");
            assertThat(answer.get(3).tag()).isEqualTo("SELECT 1");
            assertThat(answer.get(4).tag()).as("the finished portal yields nothing more").isEqualTo("SELECT 0");
            assertThat(client.status()).isEqualTo('I');
        }
        assertThat(refreshes(db) - before).isEqualTo(1);
    }

    @Test
    void aCallPortalCannotRunTwice(TestDatabase db) throws Exception {
        long before = refreshes(db);
        try (WireClient client = WireClient.login(proxy.port(), db.user(), db.name())) {
            bindAndExecute(client, "CALL pgtrickle.refresh_stream_table('portal_st')", 2);
            client.sync();
            List<WireClient.Message> answer = client.untilReadyMessages();
            assertThat(types(answer)).as(withErrors(answer)).isEqualTo("12CEZ");
            assertThat(answer.get(3).fields()).containsEntry('C', "55000").containsEntry('M', "portal \"\" cannot be run");
            assertThat(client.query("SELECT 1")).as("the session goes on").isEqualTo('I');
        }
        // the error aborted the batch's implicit transaction, the first refresh with it
        assertThat(refreshes(db) - before).isZero();
    }

    @Test
    void aCallExecutedWithFlushIsAnsweredBeforeTheSync(TestDatabase db) throws Exception {
        long before = refreshes(db);
        try (WireClient client = WireClient.login(proxy.port(), db.user(), db.name())) {
            bindAndExecute(client, "SELECT pgtrickle.refresh_stream_table('portal_st')", 1);
            client.flush(); // as a cursor does: the answers now, the Sync later
            assertThat(nextTypes(client, 4)).isEqualTo("12DC");
            client.sync();
            assertThat(types(client.untilReadyMessages())).isEqualTo("Z");
            assertThat(client.status()).isEqualTo('I');
        }
        assertThat(refreshes(db) - before).isEqualTo(1);
    }

    @Test
    void afterAnErrorAnsweredAtAFlushTheRestUpToTheSyncIsSkipped(TestDatabase db) throws Exception {
        try (WireClient client = WireClient.login(proxy.port(), db.user(), db.name())) {
            bindAndExecute(client, "SELECT pgtrickle.refresh_stream_table('no_such_stream_table')", 1);
            client.flush();
            assertThat(nextTypes(client, 3)).isEqualTo("12E");
            bindAndExecute(client, "SELECT 1", 1); // skipped, as the server skips after an error
            client.sync();
            assertThat(types(client.untilReadyMessages())).isEqualTo("Z");
            assertThat(client.query("SELECT 2")).isEqualTo('I');
        }
    }

    @Test
    void aCallPortalEndsWithItsTransaction(TestDatabase db) throws Exception {
        try (WireClient client = WireClient.login(proxy.port(), db.user(), db.name())) {
            bindAndExecute(client, "SELECT pgtrickle.refresh_stream_table('portal_st')", 1);
            client.sync();
            assertThat(types(client.untilReadyMessages())).isEqualTo("12DCZ");
            client.execute(); // the unnamed portal is gone with the implicit transaction
            client.sync();
            List<WireClient.Message> answer = client.untilReadyMessages();
            assertThat(types(answer)).isEqualTo("EZ");
            assertThat(answer.get(0).fields()).containsEntry('C', "34000");
        }
    }
}
