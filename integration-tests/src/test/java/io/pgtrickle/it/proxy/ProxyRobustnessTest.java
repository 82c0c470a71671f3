package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pgtrickle.it.harness.TestDatabase;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Bad clients and lost servers never take the proxy down or disturb other sessions, and the affected
 * client always learns why (an ErrorResponse, FATAL when the connection closes).
 */
class ProxyRobustnessTest extends ProxyTestBase {
    /** A raw protocol client: startup, then whatever the test writes. */
    private static Socket startup(TestDatabase db) throws IOException {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setSoTimeout(10_000);
        byte[] params = ("user\0" + db.user() + "\0database\0" + db.name() + "\0\0").getBytes(StandardCharsets.UTF_8);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        out.writeInt(8 + params.length);
        out.writeInt(196608);
        out.write(params);
        out.flush();
        DataInputStream in = new DataInputStream(s.getInputStream());
        while (true) { // until ReadyForQuery
            byte type = in.readByte();
            int len = in.readInt();
            in.readFully(new byte[len - 4]);
            if (type == 'Z') {
                return s;
            }
        }
    }

    /** Reads messages until the server closes; returns the types seen and the last error's severity. */
    private static String untilClosed(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        StringBuilder seen = new StringBuilder();
        try {
            while (true) {
                byte type = in.readByte();
                int len = in.readInt();
                byte[] body = new byte[len - 4];
                in.readFully(body);
                seen.append((char) type);
                if (type == 'E') {
                    seen.append(new String(body, StandardCharsets.UTF_8).contains("FATAL") ? "(FATAL)" : "(ERROR)");
                }
            }
        } catch (EOFException closed) {
            return seen.toString();
        }
    }

    private static void othersStillServed() throws SQLException {
        try (Connection c = proxy.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
    }

    @Test
    void malformedMessageGetsFatalAndClose(TestDatabase db) throws Exception {
        try (Socket s = startup(db)) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeByte('Q');
            out.writeInt(2); // a length below 4 is impossible
            out.flush();
            assertThat(untilClosed(s)).isEqualTo("E(FATAL)");
        }
        othersStillServed();
    }

    @Test
    void garbageFirstPacketGetsFatalAndClose() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(new byte[] {0, 0, 0, 9, 1, 2, 3, 4, 5});
            s.getOutputStream().flush();
            assertThat(untilClosed(s)).isEqualTo("E(FATAL)");
        }
        othersStillServed();
    }

    @Test
    void terminatedBackendIsReportedAndOthersGoOn(TestDatabase db) throws Exception {
        try (Connection victim = proxy.connect(); Connection other = proxy.connect(); Connection admin = db.connect()) {
            int pid;
            try (ResultSet rs = victim.createStatement().executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            admin.createStatement().execute("SELECT pg_terminate_backend(" + pid + ")");
            SQLException e = catchThrowableOfType(SQLException.class, () -> {
                for (int i = 0; i < 50; i++) { // the termination is asynchronous
                    victim.createStatement().execute("SELECT 1");
                    Thread.sleep(100);
                }
            });
            assertThat((Throwable) e).isNotNull();
            assertThat(e.getSQLState()).isIn("57P01", "08006", "08003");
            try (ResultSet rs = other.createStatement().executeQuery("SELECT 2")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void clientVanishingDuringACallLeavesNothingHalfMade(TestDatabase db) throws Exception {
        try (Socket s = startup(db)) {
            // populating takes 3 s: the client is gone long before the call could commit
            String sql = "SELECT pgtrickle.create_stream_table('vanished', "
                    + "'SELECT 1 AS id, (SELECT 1 FROM pg_sleep(3)) AS slept', '1m', 'FULL')\0";
            byte[] body = sql.getBytes(StandardCharsets.UTF_8);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeByte('Q');
            out.writeInt(4 + body.length);
            out.write(body);
            out.flush();
            Thread.sleep(300);
        } // closed while the call runs
        othersStillServed();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (int i = 0; i < 300; i++) { // the upstream session ends, and its transaction with it
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        + "AND pid <> pg_backend_pid()")) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        break;
                    }
                }
                Thread.sleep(100);
            }
            // As with PostgreSQL itself, a call whose client went away may still complete (the server only
            // notices when it answers); what must never happen is half of it.
            boolean table;
            try (ResultSet rs = st.executeQuery("SELECT to_regclass('vanished') IS NOT NULL")) {
                rs.next();
                table = rs.getBoolean(1);
            }
            if (table) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pgtrickle.pgt_stream_tables "
                        + "WHERE pgt_name = 'vanished' AND is_populated")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("a stream table that exists is complete").isEqualTo(1);
                }
            } else {
                try (ResultSet rs = st.executeQuery("SELECT to_regclass('pgtrickle.pgt_stream_tables') IS NULL "
                        + "OR NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'vanished')")) {
                    rs.next();
                    assertThat(rs.getBoolean(1)).as("no catalog row without its table").isTrue();
                }
            }
        }
    }

    @Test
    void aCopyFromStdinNextToACallFailsInsteadOfHanging(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE copy_next (id int)");
        }
        try (WireClient client = WireClient.login(proxy.port(), db.user(), db.name())) {
            client.send("SELECT pgtrickle.create_stream_table('copy_st', 'SELECT id FROM copy_next', '1m', 'FULL'); "
                    + "COPY copy_next FROM STDIN");
            java.util.List<WireClient.Message> answer = client.untilReadyMessages();
            assertThat(answer).as("no CopyInResponse reaches the client").noneMatch(m -> m.type() == 'G');
            assertThat(answer).filteredOn(m -> m.type() == 'E').singleElement()
                    .satisfies(m -> assertThat(m.fields()).containsEntry('C', "57014"));
            assertThat(client.status()).isEqualTo('I');
            assertThat(client.query("SELECT 1")).as("the session goes on").isEqualTo('I');
        }
        try (Connection c = db.connect(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT to_regclass('copy_st') IS NULL")) {
            rs.next();
            assertThat(rs.getBoolean(1)).as("the string was one transaction: the create rolled back").isTrue();
        }
        othersStillServed();
    }
}
