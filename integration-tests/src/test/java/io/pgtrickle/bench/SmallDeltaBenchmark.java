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
 * Where the time of a DIFFERENTIAL refresh of a few changes goes: one stream table over a captured source
 * of 100,000 rows, refreshed through the JDBC driver after each UPDATE of a few random rows (not timed).
 * Prints the median and 99th percentile end to end, and from {@code pg_stat_statements} (planning
 * tracked) every statement the engine sent, with its calls per refresh, planning and execution time.
 *
 * <p>Arguments: refreshes (default 300), rows changed per refresh (default 10), the defining query
 * (default {@code SELECT id % 1000 AS bucket, sum(amount) AS total, count(*) AS n FROM src GROUP BY 1}).
 * Then the change buffer's size and dead rows, which every refresh's reads of it scan. The system
 * properties {@code pgtrickle.bench.statementLog} and {@code pgtrickle.bench.vacuumEvery} below log every
 * statement with its duration (parse and bind included, which pg_stat_statements leaves out) and vacuum
 * the buffers during the run.
 */
public final class SmallDeltaBenchmark {

    /** {@code -Dpgtrickle.bench.statementLog=<dir>}: the server logs every message it runs there, with its duration. */
    private static final String LOG_DIRECTORY = System.getProperty("pgtrickle.bench.statementLog");
    /** {@code -Dpgtrickle.bench.vacuumEvery=<n>}: the change buffers are vacuumed before every n-th refresh. */
    private static final int VACUUM_EVERY = Integer.getInteger("pgtrickle.bench.vacuumEvery", 0);

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int changes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String query = args.length > 2 ? args[2]
                : "SELECT id % 1000 AS bucket, sum(amount) AS total, count(*) AS n FROM src GROUP BY 1";
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track_planning", "on")
                .setServerConfig("logging_collector", LOG_DIRECTORY == null ? "off" : "on")
                .setServerConfig("log_directory", LOG_DIRECTORY == null ? "log" : LOG_DIRECTORY)
                .setServerConfig("log_min_duration_statement", LOG_DIRECTORY == null ? "-1" : "0")
                .start();
                Connection c = DriverManager.getConnection(
                        "jdbc:pgtrickle:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION pg_stat_statements");
            s.execute("CREATE TABLE src (id serial PRIMARY KEY, region text, category text, amount numeric(12,2), "
                    + "score double precision)");
            s.execute("INSERT INTO src (region, category, amount, score) SELECT (ARRAY['north','south','east','west',"
                    + "'central'])[1 + g % 5], (ARRAY['a','b','c','d'])[1 + g % 4], round((random() * 10000)::numeric, 2), "
                    + "random() FROM generate_series(1, 100000) g");
            s.execute("CREATE TABLE dim (region text PRIMARY KEY, name text)");
            s.execute("INSERT INTO dim SELECT r, upper(r) FROM unnest(ARRAY['north','south','east','west','central']) r");
            s.execute("VACUUM ANALYZE src");
            s.execute("VACUUM ANALYZE dim");
            s.execute("SELECT pgtrickle.create_stream_table('st', $q$" + query + "$q$, '1h', 'DIFFERENTIAL')");
            String update = "UPDATE src SET amount = round((random() * 10000)::numeric, 2) WHERE id IN "
                    + "(SELECT (1 + random() * 99999)::int FROM generate_series(1, " + changes + "))";
            for (int i = 0; i < 50; i++) {
                s.executeUpdate(update);
                refresh(s);
            }
            s.execute("SELECT pg_stat_statements_reset()");
            double[] ms = new double[n];
            for (int i = 0; i < n; i++) {
                if (VACUUM_EVERY > 0 && i % VACUUM_EVERY == 0) { // not timed
                    vacuumBuffers(s);
                }
                s.executeUpdate(update);
                long t = System.nanoTime();
                refresh(s);
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(ms);
            String ours = "query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE 'UPDATE src%'";
            try (ResultSet rs = s.executeQuery("SELECT sum(calls)::float8, sum(total_plan_time)::float8, "
                    + "sum(total_exec_time)::float8 FROM pg_stat_statements WHERE " + ours)) {
                rs.next();
                System.out.printf(Locale.ROOT, "DIFFERENTIAL refresh after %d changed rows, %d times: end to end median %.3f ms, "
                        + "p99 %.3f ms; per refresh %.1f statements, %.3f ms planning, %.3f ms execution%n", changes, n,
                        ms[n / 2], ms[(int) (n * 0.99)], rs.getDouble(1) / n, rs.getDouble(2) / n, rs.getDouble(3) / n);
            }
            try (ResultSet rs = s.executeQuery("SELECT round(calls::numeric / " + n + ", 2), round(total_plan_time::numeric / "
                    + n + ", 3), round(total_exec_time::numeric / " + n + ", 3), left(regexp_replace(query, '\\s+', ' ', 'g'), 100) "
                    + "FROM pg_stat_statements WHERE " + ours + " ORDER BY total_exec_time + total_plan_time DESC")) {
                System.out.printf(Locale.ROOT, "%7s %9s %9s  %s%n", "calls", "plan ms", "exec ms", "statement (per refresh)");
                while (rs.next()) {
                    System.out.printf(Locale.ROOT, "%7s %9s %9s  %s%n", rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4));
                }
            }
            // the change buffer after the run: what every refresh's reads of it scan
            try (ResultSet rs = s.executeQuery("SELECT relname, pg_relation_size(relid) / 8192 AS pages, n_live_tup, "
                    + "n_dead_tup, autovacuum_count FROM pg_stat_user_tables WHERE schemaname = 'pgtrickle_changes'")) {
                while (rs.next()) {
                    System.out.printf(Locale.ROOT, "buffer %s: %d pages, %d live and %d dead rows, %d autovacuums%n",
                            rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
                }
            }
        }
    }

    private static void refresh(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT pgtrickle.refresh_stream_table('st')")) {
            rs.next();
        }
    }

    private static void vacuumBuffers(Statement s) throws SQLException {
        String buffers;
        try (ResultSet rs = s.executeQuery("SELECT string_agg('pgtrickle_changes.' || quote_ident(relname), ', ') "
                + "FROM pg_stat_user_tables WHERE schemaname = 'pgtrickle_changes'")) {
            rs.next();
            buffers = rs.getString(1);
        }
        s.execute("VACUUM " + buffers);
    }
}
