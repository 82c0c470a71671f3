package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * psql (libpq) through the proxy, for what is relayed untouched: the catalog queries behind {@code \d},
 * {@code \copy} both ways, several statements in one Query, a transaction block around a pgtrickle call
 * rolled back, and Ctrl-C (a CancelRequest on a new connection) during a long statement.
 */
class ProxyPsqlTest extends ProxyTestBase {
    private static List<String> psqlCommand(TestDatabase db, String... extra) {
        List<String> command = new ArrayList<>(List.of(ExternalClient.require("psql"), "-X", "-q", "-A", "-t",
                "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String.valueOf(proxy.port()), "-U", db.user(),
                "-d", db.name()));
        command.addAll(List.of(extra));
        return command;
    }

    private static ExternalClient.Result psql(TestDatabase db, String script) throws Exception {
        return ExternalClient.run(psqlCommand(db), Map.of("PGCONNECT_TIMEOUT", "10"), script, 60);
    }

    private static ExternalClient.Result psqlC(TestDatabase db, String command) throws Exception {
        return ExternalClient.run(psqlCommand(db, "-c", command), Map.of("PGCONNECT_TIMEOUT", "10"), null, 60);
    }

    private static Object scalar(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1);
        }
    }

    @Test
    void validateQueryListsItsChecks(TestDatabase db) throws Exception {
        ExternalClient.Result r = psqlC(db, "SELECT * FROM pgtrickle.validate_query('SELECT 1 AS one')").succeeded();
        assertThat(r.stdout()).contains("query|valid: 1 columns (one integer)|INFO").contains("sources|none|INFO")
                .contains("auto_mode|");
        // a warning without a hint prints no empty HINT line
        r = psqlC(db, "SELECT pgtrickle.create_stream_table('no_from', 'SELECT 1 AS one'); "
                + "SELECT pgtrickle.drop_stream_table('no_from')").succeeded();
        assertThat(r.stderr()).contains("WARNING:  stream table public.no_from will be refreshed FULL").doesNotContain("HINT");
        r = psqlC(db, "SELECT pgtrickle.validate_query('SELECT nope')").succeeded();
        assertThat(r.stdout().strip()).isEqualTo("(query,\"42703: column \"\"nope\"\" does not exist\",ERROR)");
    }

    @Test
    void backslashDListsAndDescribes(TestDatabase db) throws Exception {
        psql(db, """
                CREATE SCHEMA shop;
                CREATE TABLE shop.orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(10,2));
                CREATE TABLE public.listed_table (x int);
                CREATE VIEW public.listed_view AS SELECT x FROM public.listed_table;
                CREATE INDEX orders_customer ON shop.orders (customer);
                """).succeeded();

        ExternalClient.Result dt = psqlC(db, "\\dt").succeeded();
        assertThat(dt.stdout()).contains("public|listed_table|table|" + db.user());
        assertThat(dt.stdout()).doesNotContain("listed_view");

        ExternalClient.Result d = psqlC(db, "\\d").succeeded();
        assertThat(d.stdout()).contains("public|listed_table|table|").contains("public|listed_view|view|");

        ExternalClient.Result dShop = psqlC(db, "\\dt shop.*").succeeded();
        assertThat(dShop.stdout()).contains("shop|orders|table|");

        ExternalClient.Result describe = psqlC(db, "\\d shop.orders").succeeded();
        assertThat(describe.stdout()).contains("id|bigint||not null|").contains("customer|text||not null|")
                .contains("amount|numeric(10,2)|||");
        // with headers and footers (-t off): the title and the index list come from further catalog queries
        List<String> full = new ArrayList<>(psqlCommand(db, "-c", "\\d shop.orders"));
        full.remove("-t");
        ExternalClient.Result withFooters = ExternalClient.run(full, Map.of(), null, 60).succeeded();
        assertThat(withFooters.stdout()).contains("Table \"shop.orders\"")
                .contains("\"orders_pkey\" PRIMARY KEY, btree (id)")
                .contains("\"orders_customer\" btree (customer)");

        assertThat(psqlC(db, "\\dn").succeeded().stdout()).contains("shop|");

        // through the proxy or directly, psql prints exactly the same (even where psql 15 meets a newer
        // server's catalog and \l fails: the error is the server's own)
        for (String meta : List.of("\\l", "\\dt", "\\d shop.orders", "\\di", "\\df", "\\dv", "\\du")) {
            ExternalClient.Result viaProxy = psqlC(db, meta);
            List<String> direct = new ArrayList<>(psqlCommand(db, "-c", meta));
            direct.set(direct.indexOf(String.valueOf(proxy.port())), String.valueOf(db.port()));
            direct.set(direct.indexOf("127.0.0.1"), db.host());
            ExternalClient.Result r = ExternalClient.run(direct, Map.of(), null, 60);
            assertThat(viaProxy).as(meta).isEqualTo(r);
        }
    }

    @Test
    void backslashCopyInAndOut(TestDatabase db, @TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.csv");
        StringBuilder csv = new StringBuilder();
        for (int i = 1; i <= 5000; i++) {
            csv.append(i).append(",\"name, ").append(i).append("\",").append(i % 7 == 0 ? "" : String.valueOf(i * 2))
                    .append('\n');
        }
        Files.writeString(in, csv, StandardCharsets.UTF_8);
        Path out = dir.resolve("out.csv");
        psql(db, "CREATE TABLE copied (id int PRIMARY KEY, name text, n int);\n"
                + "\\copy copied FROM '" + in + "' WITH (FORMAT csv)\n"
                + "\\copy (SELECT * FROM copied ORDER BY id) TO '" + out + "' WITH (FORMAT csv)\n").succeeded();
        assertThat(scalar(db, "SELECT count(*) FROM copied")).isEqualTo(5000L);
        assertThat(scalar(db, "SELECT count(*) FROM copied WHERE n IS NULL")).isEqualTo(714L);
        assertThat(Files.readString(out)).isEqualTo(csv.toString());

        // COPY ... FROM STDIN with the data inline in the script, and TO STDOUT
        ExternalClient.Result r = psql(db, """
                CREATE TABLE inline_copy (a int, b text);
                COPY inline_copy FROM STDIN;
                1\tone
                2\t\\N
                \\.
                COPY inline_copy TO STDOUT WITH (FORMAT csv);
                """).succeeded();
        assertThat(r.stdout().lines().toList()).containsExactly("1,one", "2,");
    }

    @Test
    void aCopyErrorIsReportedAndTheSessionGoesOn(TestDatabase db, @TempDir Path dir) throws Exception {
        Path in = dir.resolve("bad.csv");
        Files.writeString(in, "1,a\n2,b\nthree,c\n");
        ExternalClient.Result r = ExternalClient.run(psqlCommand(db), Map.of(),
                "CREATE TABLE strict_copy (id int, v text);\n"
                        + "\\copy strict_copy FROM '" + in + "' WITH (FORMAT csv)\n"
                        + "SELECT 'after', count(*) FROM strict_copy;\n", 60);
        // without ON_ERROR_STOP... it is set: psql stops at the failed \copy with exit 1 or 3
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("invalid input syntax for type integer: \"three\"");
        assertThat(scalar(db, "SELECT count(*) FROM strict_copy")).isEqualTo(0L);
        assertThat(psqlC(db, "SELECT count(*) FROM strict_copy").succeeded().stdout().strip()).isEqualTo("0");
    }

    @Test
    void severalStatementsInOneCommandAreOneQueryMessage(TestDatabase db) throws Exception {
        ExternalClient.Result r = psqlC(db,
                "CREATE TABLE multi (a int); INSERT INTO multi VALUES (1), (2), (3); SELECT sum(a) FROM multi")
                .succeeded();
        // psql -c sends the string as one Query and prints the last result only
        assertThat(r.stdout().strip()).isEqualTo("6");

        // an error in the middle rolls back the whole implicit transaction and stops processing
        ExternalClient.Result failed = ExternalClient.run(psqlCommand(db, "-c",
                "INSERT INTO multi VALUES (10); SELECT 1/0; INSERT INTO multi VALUES (20)"), Map.of(), null, 60);
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.stderr()).contains("division by zero");
        assertThat(scalar(db, "SELECT sum(a) FROM multi")).isEqualTo(6L);

        // a transaction block inside one string
        psqlC(db, "BEGIN; INSERT INTO multi VALUES (100); ROLLBACK; INSERT INTO multi VALUES (4)").succeeded();
        assertThat(scalar(db, "SELECT sum(a) FROM multi")).isEqualTo(10L);
    }

    @Test
    void aStreamTableCreatedInARolledBackTransactionLeavesNothing(TestDatabase db) throws Exception {
        psqlC(db, "CREATE TABLE rb_src (id int PRIMARY KEY, v text); INSERT INTO rb_src VALUES (1, 'x')")
                .succeeded();
        ExternalClient.Result r = psql(db, """
                BEGIN;
                SELECT pgtrickle.create_stream_table('rb_st', 'SELECT id, v FROM rb_src', '1m', 'FULL');
                SELECT count(*) FROM rb_st;
                ROLLBACK;
                SELECT to_regclass('rb_st') IS NULL;
                """).succeeded();
        assertThat(r.stdout().lines().toList()).containsExactly("", "1", "t");
        assertThat(scalar(db, "SELECT to_regclass('public.rb_st') IS NULL")).isEqualTo(true);
        // the catalog may not exist at all (its installation rolled back too); if it does, it is empty
        Object catalog = scalar(db, "SELECT to_regclass('pgtrickle.pgt_stream_tables')::text");
        if (catalog != null) {
            assertThat(scalar(db, "SELECT count(*) FROM pgtrickle.pgt_stream_tables")).isEqualTo(0L);
        }
        // and the same call committed afterwards works: nothing half-made is in the way
        psql(db, """
                SELECT pgtrickle.create_stream_table('rb_st', 'SELECT id, v FROM rb_src', '1m', 'FULL');
                SELECT pgtrickle.drop_stream_table('rb_st');
                """).succeeded();
    }

    @Test
    void ctrlCCancelsARunningStatement(TestDatabase db) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(psqlCommand(db, "-c", "SELECT pg_sleep(30) /* cancel me */"));
        pb.environment().put("PGCONNECT_TIMEOUT", "10");
        Path out = Files.createTempFile("psql", ".out");
        Path err = Files.createTempFile("psql", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        try {
            waitUntilRunning(db, "%pg_sleep(30) /* cancel me */%");
            long sent = System.nanoTime();
            Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).inheritIO().start();
            assertThat(kill.waitFor()).isZero();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("psql exits soon after Ctrl-C").isTrue();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertThat(millis).isLessThan(10_000);
            String stderr = Files.readString(err);
            assertThat(stderr).contains("canceling statement due to user request");
            assertThat(p.exitValue()).isEqualTo(1);
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
        // the backend is gone or idle, not still sleeping
        assertThat(scalar(db, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%/* cancel me */%'"
                + " AND state = 'active' AND pid <> pg_backend_pid()")).isEqualTo(0L);
    }

    /** Polls pg_stat_activity over a direct connection until a statement like the pattern is active. */
    static void waitUntilRunning(TestDatabase db, String likePattern) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE state = 'active' AND query LIKE ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, likePattern);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        Thread.sleep(1000); // the ~1 s of the brief: well inside the statement
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the statement " + likePattern + " never showed up in pg_stat_activity");
    }
}
