package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pgbench through the proxy: {@code -i} (DDL and COPY), then 4 clients on 2 threads for a few seconds
 * in each query mode: simple, extended (unnamed statements) and prepared (named {@code P_n}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProxyPgbenchTest extends ProxyTestBase {
    private static ExternalClient.Result pgbench(TestDatabase db, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ExternalClient.require("pgbench"), "-h", "127.0.0.1", "-p",
                String.valueOf(proxy.port()), "-U", db.user()));
        command.addAll(List.of(args));
        command.add(db.name());
        return ExternalClient.run(command, Map.of("PGCONNECT_TIMEOUT", "10"), null, 120);
    }

    private static void assertNoErrorLines(ExternalClient.Result r) {
        for (String line : (r.stdout() + "\n" + r.stderr()).lines().toList()) {
            assertThat(line.toLowerCase(java.util.Locale.ROOT)).as("output line").doesNotContain("error")
                    .doesNotContain("fatal").doesNotContain("abort");
        }
    }

    @Test
    @Order(1)
    void initialiseThroughTheProxy(TestDatabase db) throws Exception {
        ExternalClient.Result r = pgbench(db, "-i", "-s", "1", "-q").succeeded();
        assertNoErrorLines(r);
        assertThat(r.stderr()).contains("done");
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM pgbench_accounts),"
                        + " (SELECT count(*) FROM pgbench_branches), (SELECT count(*) FROM pgbench_tellers)")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(100_000);
            assertThat(rs.getLong(2)).isEqualTo(1);
            assertThat(rs.getLong(3)).isEqualTo(10);
        }
    }

    @ParameterizedTest
    @Order(2)
    @ValueSource(strings = {"simple", "extended", "prepared"})
    void runsInEveryQueryMode(String mode, TestDatabase db) throws Exception {
        ExternalClient.Result r = pgbench(db, "-c", "4", "-j", "2", "-T", "3", "-M", mode).succeeded();
        assertNoErrorLines(r);
        assertThat(r.stdout()).contains("query mode: " + mode).contains("number of clients: 4")
                .contains("number of threads: 2");
        Matcher processed = Pattern.compile("number of transactions actually processed: (\\d+)")
                .matcher(r.stdout());
        assertThat(processed.find()).as(r.stdout()).isTrue();
        long transactions = Long.parseLong(processed.group(1));
        assertThat(transactions).isPositive();
        Matcher failed = Pattern.compile("number of failed transactions: (\\d+)").matcher(r.stdout());
        if (failed.find()) {
            assertThat(Long.parseLong(failed.group(1))).isZero();
        }
        // pgbench truncates pgbench_history before a run (no -n); each TPC-B-like transaction then inserts
        // one row: every transaction pgbench counted was committed through the proxy
        assertThat(historyRows(db)).isEqualTo(transactions);
    }

    private static long historyRows(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM pgbench_history")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * libpq's pipeline mode (pgbench {@code \startpipeline}): statements and a pgtrickle call in one
     * pipeline, one Sync at the end. Each transaction inserts a row, refreshes the stream table over
     * that table, and inserts another row: afterwards the stream table holds exactly the rows that
     * were there at the last refresh, and every pipeline committed.
     */
    @Test
    @Order(3)
    void aPipelineMixingStatementsAndACall(TestDatabase db, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE piped (id bigserial PRIMARY KEY, at text)");
        }
        try (WireClient client = WireClient.login(proxy.port(), db.user(), db.name())) {
            client.query("SELECT pgtrickle.create_stream_table('piped_st', 'SELECT id FROM piped', '1m', 'FULL')");
        }
        java.nio.file.Path script = dir.resolve("pipeline.sql");
        java.nio.file.Files.writeString(script, String.join("\n",
                "\\startpipeline",
                "INSERT INTO piped (at) VALUES ('before');",
                "SELECT pgtrickle.refresh_stream_table('piped_st');",
                "INSERT INTO piped (at) VALUES ('after');",
                "\\endpipeline", ""));
        ExternalClient.Result r = pgbench(db, "-n", "-c", "1", "-t", "20", "-M", "extended", "-f", script.toString())
                .succeeded();
        assertNoErrorLines(r);
        assertThat(r.stdout()).contains("number of transactions actually processed: 20/20");
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM piped), (SELECT count(*) FROM piped_st), "
                        + "(SELECT count(*) FROM piped_st s JOIN piped p USING (id) WHERE p.at = 'after')")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(40);
            assertThat(rs.getLong(2)).as("all rows but the last 'after' one").isEqualTo(39);
            assertThat(rs.getLong(3)).isEqualTo(19);
        }
    }
}
