package io.pgtrickle.bench;

import static io.pgtrickle.bench.BenchSql.exec;
import static io.pgtrickle.bench.BenchSql.median;
import static io.pgtrickle.bench.BenchSql.rows;
import static io.pgtrickle.bench.BenchSql.timed;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What change capture costs the writers (statement-level AFTER triggers with transition tables filling the
 * change buffer). Part 1: bulk INSERT, UPDATE and DELETE of 10,000 rows in one statement each, into a
 * 100,000-row table read by a DIFFERENTIAL stream table, into an identical table read by none, and into
 * one whose statement-level AFTER triggers declare the same transition tables but do nothing (the floor:
 * what PostgreSQL charges for collecting the transition tables, before capture copies a row),
 * interleaved, medians of the rounds; the stream table is refreshed between rounds (not timed). Part 2:
 * pgbench TPC-B-like (scale 10, 4 clients) with no stream table on pgbench_accounts, one, and three,
 * interleaved; mean TPS of the rounds and the ratios to none.
 *
 * <p>Arguments: rounds of part 1 (default 7), seconds per pgbench run (default 15), pgbench rounds
 * (default 2).
 */
public final class CaptureBenchmark {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int benchRounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("max_wal_size", "8GB")
                .setServerConfig("shared_buffers", "512MB").setServerConfig("checkpoint_timeout", "30min").start();
                Connection c = DriverManager.getConnection(
                        "jdbc:pgtrickle:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "")) {
            bulk(c, rounds);
            tpcb(c, pg.getPort(), seconds, benchRounds);
        }
    }

    private static void bulk(Connection c, int rounds) throws SQLException {
        List<String> tables = List.of("plain", "floor", "captured");
        for (String t : tables) {
            exec(c, "CREATE TABLE " + t + " (id int PRIMARY KEY, a int, b text, d numeric(12,2))",
                    "INSERT INTO " + t + " SELECT g, g % 100, md5(g::text), g / 7.0 FROM generate_series(1, 100000) g",
                    "VACUUM ANALYZE " + t);
        }
        exec(c, "CREATE FUNCTION floor_nothing() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RETURN NULL; END $f$",
                "CREATE TRIGGER floor_ins AFTER INSERT ON floor REFERENCING NEW TABLE AS n FOR EACH STATEMENT "
                        + "EXECUTE FUNCTION floor_nothing()",
                "CREATE TRIGGER floor_upd AFTER UPDATE ON floor REFERENCING OLD TABLE AS o NEW TABLE AS n "
                        + "FOR EACH STATEMENT EXECUTE FUNCTION floor_nothing()",
                "CREATE TRIGGER floor_del AFTER DELETE ON floor REFERENCING OLD TABLE AS o FOR EACH STATEMENT "
                        + "EXECUTE FUNCTION floor_nothing()");
        exec(c, "SELECT pgtrickle.create_stream_table('captured_st', 'SELECT id, a, d FROM captured WHERE a > 10', '1h', "
                + "'DIFFERENTIAL')");
        String[] names = {"INSERT", "UPDATE", "DELETE"};
        List<List<List<Double>>> times = new ArrayList<>(); // [table][statement] -> ms
        for (int t = 0; t < tables.size(); t++) {
            times.add(List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
        }
        for (int round = 0; round < rounds + 1; round++) { // the first round warms up
            int from = 200000 + round * 10000;
            for (int k = 0; k < tables.size(); k++) {
                String t = tables.get((k + round) % tables.size()); // a different order each round
                String[] statements = {
                    "INSERT INTO " + t + " SELECT g, g % 100, md5(g::text), g / 7.0 FROM generate_series(" + from + ", "
                            + (from + 9999) + ") g",
                    "UPDATE " + t + " SET a = a + 1, d = d + 1 WHERE id BETWEEN " + (round * 10000 + 1) + " AND " + (round * 10000 + 10000),
                    "DELETE FROM " + t + " WHERE id BETWEEN " + from + " AND " + (from + 9999)};
                for (int s = 0; s < 3; s++) {
                    double ms = timed(c, statements[s]);
                    if (round > 0) {
                        times.get(tables.indexOf(t)).get(s).add(ms);
                    }
                }
            }
            exec(c, "SELECT pgtrickle.refresh_stream_table('captured_st')");
        }
        System.out.printf(Locale.ROOT, "bulk writes of 10,000 rows into a 100,000-row table, %d rounds, medians in ms%n", rounds);
        System.out.printf(Locale.ROOT, "%-7s | %10s %10s %10s | %7s %7s%n", "", "uncaptured", "floor", "captured",
                "floor", "ratio");
        for (int s = 0; s < 3; s++) {
            double p = median(times.get(0).get(s));
            double f = median(times.get(1).get(s));
            double k = median(times.get(2).get(s));
            System.out.printf(Locale.ROOT, "%-7s | %10.1f %10.1f %10.1f | %6.2fx %6.2fx%n", names[s], p, f, k, f / p, k / p);
        }
        exec(c, "SELECT pgtrickle.drop_stream_table('captured_st')", "DROP TABLE plain, floor, captured",
                "DROP FUNCTION floor_nothing()");
    }

    private static final String[] STREAM_TABLES = {
        "SELECT aid, bid, abalance FROM pgbench_accounts WHERE abalance > 0",
        "SELECT bid, sum(abalance) AS total, count(*) AS n FROM pgbench_accounts GROUP BY bid",
        "SELECT aid, abalance FROM pgbench_accounts WHERE abalance < 0",
    };

    private static void tpcb(Connection c, int port, int seconds, int benchRounds) throws Exception {
        Pgbench.initialize(port, "postgres", 10);
        exec(c, "VACUUM ANALYZE");
        int[] counts = {0, 1, 3};
        double[] tps = new double[counts.length];
        for (int round = 0; round < benchRounds; round++) {
            for (int k = 0; k < counts.length; k++) {
                for (int i = 0; i < STREAM_TABLES.length; i++) {
                    boolean wanted = i < counts[k];
                    boolean exists = !rows(c, "SELECT 1 FROM pg_class WHERE relname = 'bench_st" + i + "'").isEmpty();
                    if (wanted && !exists) {
                        exec(c, "SELECT pgtrickle.create_stream_table('bench_st" + i + "', $q$" + STREAM_TABLES[i]
                                + "$q$, '1h', 'DIFFERENTIAL')");
                    } else if (!wanted && exists) {
                        exec(c, "SELECT pgtrickle.drop_stream_table('bench_st" + i + "')");
                    }
                }
                exec(c, "CHECKPOINT");
                tps[k] += Pgbench.run(port, "postgres", false, "simple", 4, seconds).tps() / benchRounds;
                for (int i = 0; i < counts[k]; i++) { // the buffers applied, as a scheduler would between runs
                    exec(c, "SELECT pgtrickle.refresh_stream_table('bench_st" + i + "')");
                }
            }
        }
        System.out.printf(Locale.ROOT, "%npgbench TPC-B-like, scale 10, 4 clients, %d s x %d rounds, mean TPS%n", seconds,
                benchRounds);
        for (int k = 0; k < counts.length; k++) {
            System.out.printf(Locale.ROOT, "%d stream tables on pgbench_accounts | %9.1f tps | %5.1f%% of none%n", counts[k],
                    tps[k], 100 * tps[k] / tps[0]);
        }
    }

}
