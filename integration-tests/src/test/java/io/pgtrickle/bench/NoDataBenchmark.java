package io.pgtrickle.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;

/**
 * The cost of a refresh with nothing pending: a DIFFERENTIAL stream table over one captured source,
 * refreshed through the JDBC driver again and again with no change in between (after a warm-up).
 * Prints the median and 99th percentile of the end-to-end time of {@code refresh_stream_table}, and,
 * from {@code pg_stat_statements}, the statements the engine sent per refresh and their server time;
 * beside them, in the same run, the floor of anything that records a refresh: a one-row UPDATE committed
 * through the same connection (a round trip and a WAL flush).
 *
 * <p>Arguments: refreshes (default 2000).
 */
public final class NoDataBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("shared_preload_libraries", "pg_stat_statements").start();
                Connection c = DriverManager.getConnection(
                        "jdbc:pgtrickle:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION pg_stat_statements");
            s.execute("CREATE TABLE src (id int PRIMARY KEY, v int)");
            s.execute("INSERT INTO src SELECT g, g FROM generate_series(1, 1000) g");
            s.execute("SELECT pgtrickle.create_stream_table('st', 'SELECT id, v FROM src WHERE v > 10', '1m', 'DIFFERENTIAL')");
            for (int i = 0; i < 200; i++) {
                refresh(s);
            }
            s.execute("CREATE TABLE one (n bigint)");
            s.execute("INSERT INTO one VALUES (0)");
            double[] floor = new double[n];
            double[] ms = new double[n];
            for (int i = 0; i < n; i++) { // warm-up of the floor's statement
                s.executeUpdate("UPDATE one SET n = n + 1");
            }
            s.execute("SELECT pg_stat_statements_reset()");
            for (int i = 0; i < n; i++) { // interleaved, so both see the same machine
                long t = System.nanoTime();
                refresh(s);
                ms[i] = (System.nanoTime() - t) / 1e6;
                t = System.nanoTime();
                s.executeUpdate("UPDATE one SET n = n + 1");
                floor[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(ms);
            Arrays.sort(floor);
            double calls;
            double serverMs;
            try (ResultSet rs = s.executeQuery("SELECT sum(calls)::float8, sum(total_exec_time + total_plan_time)::float8 "
                    + "FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE 'UPDATE one%'")) {
                rs.next();
                calls = rs.getDouble(1);
                serverMs = rs.getDouble(2);
            }
            System.out.printf(Locale.ROOT, "refresh with nothing pending, %d times: end to end median %.3f ms, p99 %.3f ms; "
                    + "%.1f statements and %.3f ms of server time (execution + planning) per refresh%n",
                    n, ms[n / 2], ms[(int) (n * 0.99)], calls / n, serverMs / n);
            System.out.printf(Locale.ROOT, "floor (one-row UPDATE, committed): median %.3f ms, p99 %.3f ms; "
                    + "refresh / floor: median %.2fx, p99 %.2fx%n", floor[n / 2], floor[(int) (n * 0.99)],
                    ms[n / 2] / floor[n / 2], ms[(int) (n * 0.99)] / floor[(int) (n * 0.99)]);
            try (ResultSet rs = s.executeQuery("SELECT calls, round((total_exec_time + total_plan_time)::numeric / calls, 3), "
                    + "left(regexp_replace(query, '\\s+', ' ', 'g'), 110) FROM pg_stat_statements "
                    + "WHERE query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE 'UPDATE one%' ORDER BY total_exec_time + total_plan_time DESC")) {
                while (rs.next()) {
                    System.out.printf(Locale.ROOT, "%7d %8s ms  %s%n", rs.getLong(1), rs.getString(2), rs.getString(3));
                }
            }
        }
    }

    private static void refresh(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT pgtrickle.refresh_stream_table('st')")) {
            rs.next();
        }
    }
}
