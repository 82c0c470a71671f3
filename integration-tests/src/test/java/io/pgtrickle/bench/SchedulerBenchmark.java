package io.pgtrickle.bench;

import io.pgtrickle.sql.scheduler.Scheduler;
import io.pgtrickle.sql.scheduler.SchedulerSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The scheduler (decision x): propagation latency from a committed change to a visible one in the
 * last stream table of a topology (median and p95), and the cost of a scheduler with 500 idle stream
 * tables. Topologies: one stream table; a chain of 10; 3 chains of 20 over one source (latency until all
 * three leaves show the change); a diamond of 5 aggregates over the source joined by a sixth. The
 * scheduler runs in this JVM with its defaults (tick 1 s, 4 workers), as the proxy runs it; every
 * stream table is DIFFERENTIAL, the leaves have schedule 1s and the others 'calculated'. A round updates
 * one source row, commits, and polls the leaf every 0.2 ms until it shows the new value.
 *
 * <p>Arguments: rounds per topology (default 40; 0: only the idle cost), idle seconds measured (default 20),
 * the revalidation interval in seconds (default 600, the scheduler's: every table known unchanged is
 * still refreshed that often; give one shorter than the idle window to measure what those refreshes add).
 */
public final class SchedulerBenchmark {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int idleSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Duration revalidate = args.length > 2 ? Duration.ofSeconds(Long.parseLong(args[2]))
                : SchedulerSettings.DEFAULT_REVALIDATE;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("shared_preload_libraries", "pg_stat_statements,auto_explain").setServerConfig("max_connections", "100")
                .setServerConfig("auto_explain.log_min_duration", System.getProperty("explain", "-1"))
                .setServerConfig("auto_explain.log_analyze", "on").start()) {
            String url = "jdbc:pgtrickle:postgresql://localhost:" + pg.getPort() + "/postgres";
            SchedulerSettings settings = SchedulerSettings.defaults(
                    db -> DriverManager.getConnection("jdbc:postgresql://localhost:" + pg.getPort() + "/" + db
                            + "?ApplicationName=pgtrickle%20scheduler", "postgres", ""),
                    "postgres", "benchmark").withDatabases(Set.of("postgres"));
            try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION pg_stat_statements");
                s.execute("CREATE TABLE src (id int PRIMARY KEY, g int, v int)");
                s.execute("INSERT INTO src SELECT i, i % 10, 0 FROM generate_series(1, 1000) i");
                s.execute("ANALYZE src");
                try (Scheduler scheduler = rounds == 0 ? null : Scheduler.start(settings)) {
                    if (rounds == 0) {
                        throw new SkipTopologies();
                    }
                    report("one stream table", measure(c, s, rounds, chain(s, "one", 1)));
                    drop(s);
                    report("chain of 10", measure(c, s, rounds, chain(s, "c", 10)));
                    drop(s);
                    List<String> leaves = new ArrayList<>();
                    for (String prefix : List.of("a", "b", "x")) {
                        leaves.addAll(chain(s, prefix, 20));
                    }
                    report("3 chains of 20 (60 stream tables)", measure(c, s, rounds, leaves));
                    drop(s);
                    report("diamond: 5 aggregates joined", measure(c, s, rounds, diamond(s)));
                    drop(s);
                } catch (SkipTopologies skip) {
                    // idle cost only
                }
                idle(s, settings.withRevalidate(revalidate), idleSeconds);
            }
        }
    }

    /** Rounds 0: only the idle cost. */
    private static final class SkipTopologies extends RuntimeException {
        SkipTopologies() {
            super(null, null, false, false);
        }
    }

    /** A chain prefix1 (reads src) ... prefixN; the last has schedule 1s. Returns [the last]. */
    private static List<String> chain(Statement s, String prefix, int length) throws SQLException {
        for (int i = 1; i <= length; i++) {
            String from = i == 1 ? "src" : prefix + (i - 1);
            s.execute("SELECT pgtrickle.create_stream_table('" + prefix + i + "', 'SELECT id, g, v FROM " + from + "', '"
                    + (i == length ? "1s" : "calculated") + "', 'DIFFERENTIAL')");
        }
        return List.of(prefix + length);
    }

    /** Five aggregates by g over src, joined by a sixth (schedule 1s). Returns [the join]. */
    private static List<String> diamond(Statement s) throws SQLException {
        String[] aggs = {"sum(v)", "count(*)", "max(v)", "min(v)", "sum(v + 1)"};
        for (int i = 0; i < aggs.length; i++) {
            s.execute("SELECT pgtrickle.create_stream_table('agg" + i + "', 'SELECT g, " + aggs[i] + " AS a FROM src GROUP BY g', "
                    + "'calculated', 'DIFFERENTIAL')");
        }
        s.execute("SELECT pgtrickle.create_stream_table('top', 'SELECT agg0.g, agg0.a AS a0, agg1.a AS a1, agg2.a AS a2, "
                + "agg3.a AS a3, agg4.a AS a4 FROM agg0 JOIN agg1 USING (g) JOIN agg2 USING (g) JOIN agg3 USING (g) "
                + "JOIN agg4 USING (g)', '1s', 'DIFFERENTIAL')");
        return List.of("top");
    }

    private static void drop(Statement s) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT pgt_name FROM pgtrickle.pgt_stream_tables ORDER BY pgt_id DESC")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        for (String n : names) {
            s.execute("SELECT pgtrickle.drop_stream_table('" + n + "')");
        }
    }

    /** A new value for every round of every topology, so that no leaf can show it before the round. */
    private static int nextValue = 1;
    /** Rounds run before the measured ones (the first refreshes after a create plan and warm caches). */
    private static final int WARM_UP = 5;

    /** Commit-to-visible times in ms, one per measured round. */
    private static double[] measure(Connection c, Statement s, int rounds, List<String> leaves) throws Exception {
        Thread.sleep(3000); // the scheduler's first passes settle every table
        double[] ms = new double[rounds];
        java.util.Random random = new java.util.Random(42);
        for (int r = -WARM_UP; r < rounds; r++) {
            int id = 1 + random.nextInt(1000);
            int value = nextValue++;
            s.executeUpdate("UPDATE src SET v = " + value + " WHERE id = " + id);
            long t0 = System.nanoTime();
            for (String leaf : leaves) {
                String probe = leaf.equals("top")
                        ? "SELECT a2 = " + value + " FROM top WHERE g = " + (id % 10)
                        : "SELECT v = " + value + " FROM " + leaf + " WHERE id = " + id;
                while (!probe(s, probe)) {
                    Thread.onSpinWait();
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
            }
            if (r >= 0) {
                ms[r] = (System.nanoTime() - t0) / 1e6;
            }
            Thread.sleep(200 + random.nextInt(300)); // commits at no fixed phase of the tick
        }
        return ms;
    }

    private static boolean probe(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static void report(String topology, double[] ms) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%-36s commit to visible: median %7.1f ms, p95 %7.1f ms, max %7.1f ms (%d rounds)%n",
                topology, sorted[sorted.length / 2], sorted[(int) Math.ceil(sorted.length * 0.95) - 1],
                sorted[sorted.length - 1], sorted.length);
    }

    /** 500 stream tables (50 sources, 10 each), no writes: the scheduler's CPU and statements per second. */
    private static void idle(Statement s, SchedulerSettings settings, int seconds) throws Exception {
        for (int t = 0; t < 50; t++) {
            s.execute("CREATE TABLE idle" + t + " (id int PRIMARY KEY, v int)");
            s.execute("INSERT INTO idle" + t + " SELECT i, i FROM generate_series(1, 100) i");
            for (int k = 0; k < 10; k++) {
                s.execute("SELECT pgtrickle.create_stream_table('idle" + t + "_" + k + "', 'SELECT id, v FROM idle" + t
                        + " WHERE v > " + k + "', '1s', 'DIFFERENTIAL')");
            }
        }
        try (Scheduler scheduler = Scheduler.start(settings)) {
            Thread.sleep(5000); // first passes refresh everything once
            var threads = ManagementFactory.getThreadMXBean();
            long cpu0 = schedulerCpu(threads);
            s.execute("SELECT pg_stat_statements_reset()");
            long backends0 = backendCpu(s);
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double wall = (System.nanoTime() - t0) / 1e9;
            long cpu1 = schedulerCpu(threads);
            long backends1 = backendCpu(s);
            double calls;
            try (ResultSet rs = s.executeQuery("SELECT coalesce(sum(calls), 0)::float8 FROM pg_stat_statements "
                    + "WHERE query NOT LIKE '%pg_stat_statements%' AND query NOT LIKE '%pg_stat_activity%'")) {
                rs.next();
                calls = rs.getDouble(1);
            }
            long history;
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pgtrickle.pgt_refresh_history "
                    + "WHERE initiated_by = 'SCHEDULER' AND start_time > now() - make_interval(secs => " + seconds + ")")) {
                rs.next();
                history = rs.getLong(1);
            }
            System.out.printf(Locale.ROOT, "500 idle stream tables, %.0f s, revalidation every %d s: scheduler CPU %.2f%% "
                    + "of a core (JVM threads), its PostgreSQL backends %.2f%% of a core, %.1f statements/s, %d refreshes "
                    + "(the rest confirmed)%n",
                    wall, settings.revalidate().toSeconds(), 100.0 * (cpu1 - cpu0) / 1e9 / wall, 100.0 * (backends1 - backends0) / 1e9 / wall, calls / wall, history);
            try (ResultSet rs = s.executeQuery("SELECT calls, round((total_exec_time + total_plan_time)::numeric / calls, 3), "
                    + "left(regexp_replace(query, '\\s+', ' ', 'g'), 100) FROM pg_stat_statements "
                    + "WHERE query NOT LIKE '%pg_stat_%' ORDER BY total_exec_time + total_plan_time DESC LIMIT 5")) {
                while (rs.next()) {
                    System.out.printf(Locale.ROOT, "%7d %9s ms  %s%n", rs.getLong(1), rs.getString(2), rs.getString(3));
                }
            }
        }
    }

    /** CPU time of this JVM's scheduler threads, in ns. */
    private static long schedulerCpu(java.lang.management.ThreadMXBean threads) {
        long total = 0;
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("pgtrickle-")) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                total += Math.max(0, t);
            }
        }
        return total;
    }

    /** CPU time (ns) of the scheduler's PostgreSQL backends, from /proc. */
    private static long backendCpu(Statement s) throws Exception {
        long total = 0;
        List<Long> pids = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name = 'pgtrickle scheduler'")) {
            while (rs.next()) {
                pids.add(rs.getLong(1));
            }
        }
        for (long pid : pids) {
            try {
                total += ProcCpu.nanos(pid);
            } catch (java.io.IOException gone) {
                // a backend that ended meanwhile
            }
        }
        return total;
    }
}
