package io.pgtrickle.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * DIFFERENTIAL against FULL refresh, after the original's matrix: a source
 * {@code src(id serial primary key, region, category, amount, score)} (5 regions, 4 categories) of
 * 10K, 100K and 1M rows; change rates of 0.1%, 1%, 10% and 50% of the rows, 70% of them updates and 15%
 * each inserts and deletes, at random ids. For each query a DIFFERENTIAL and a FULL stream table read
 * the same source and are refreshed after the same changes, in alternating order, several rounds; the
 * program prints the median refresh times and their ratio (FULL time / DIFFERENTIAL time: above 1 means
 * DIFFERENTIAL is faster), and checks after each round that both tables hold the same rows.
 *
 * <p>Arguments: sizes (comma-separated, default {@code 10000,100000,1000000}), rates (default
 * {@code 0.001,0.01,0.1,0.5}), rounds (default 3), and optionally the names of the queries to run
 * (comma-separated, default all). The queries are those of the matrix that pgtrickle
 * maintains differentially today: scan, filter, a keyless filter, src ⋈ dim (5 regions), a 3-way join
 * (⋈ 4 categories), SUM and COUNT by region (5 groups) and by a key of 1,000 groups (amount is
 * numeric(12,2), so both are maintained from the changes), src LEFT JOIN dim, an EXISTS over dim, a
 * DISTINCT of region and category (20 rows), and join_agg: SUM and COUNT of src ⋈ dim by the region's name.
 */
public final class RefreshBenchmark {

    private record Query(String name, String sql) {
    }

    private static final List<Query> ALL = List.of(
            new Query("scan", "SELECT id, region, category, amount, score FROM src"),
            new Query("filter", "SELECT id, region, amount FROM src WHERE amount > 5000"),
            new Query("keyless", "SELECT region, category, amount FROM bag WHERE amount > 5000"),
            new Query("join", "SELECT s.id, s.amount, d.name FROM src s JOIN dim d ON d.region = s.region"),
            new Query("join3", "SELECT s.id, s.amount, d.name, c.label FROM src s JOIN dim d ON d.region = s.region "
                    + "JOIN cat c ON c.category = s.category"),
            new Query("agg", "SELECT region, sum(amount) AS total, count(*) AS n FROM src GROUP BY region"),
            new Query("agg1k", "SELECT id % 1000 AS bucket, sum(amount) AS total, count(*) AS n FROM src GROUP BY 1"),
            new Query("ljoin", "SELECT s.id, s.amount, d.name FROM src s LEFT JOIN dim d ON d.region = s.region"),
            new Query("semi", "SELECT s.id, s.amount FROM src s WHERE EXISTS (SELECT 1 FROM dim d WHERE d.region = s.region "
                    + "AND d.name <> 'none')"),
            new Query("distinct", "SELECT DISTINCT region, category FROM src"),
            new Query("join_agg", "SELECT d.name, sum(s.amount) AS total, count(*) AS n FROM src s JOIN dim d "
                    + "ON d.region = s.region GROUP BY d.name"));

    /** The queries of this run: all, or those the fourth argument names. */
    private static List<Query> QUERIES;

    public static void main(String[] args) throws Exception {
        long[] sizes = Arrays.stream((args.length > 0 ? args[0] : "10000,100000,1000000").split(","))
                .mapToLong(Long::parseLong).toArray();
        double[] rates = Arrays.stream((args.length > 1 ? args[1] : "0.001,0.01,0.1,0.5").split(","))
                .mapToDouble(Double::parseDouble).toArray();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<String> only = args.length > 3 ? List.of(args[3].split(",")) : null;
        QUERIES = only == null ? ALL : ALL.stream().filter(q -> only.contains(q.name())).toList();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("max_wal_size", "8GB")
                .setServerConfig("shared_buffers", "512MB").setServerConfig("checkpoint_timeout", "30min").start();
                Connection c = DriverManager.getConnection(
                        "jdbc:pgtrickle:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "")) {
            System.out.printf(Locale.ROOT, "refresh after changes, %d rounds, medians in ms; ratio = FULL / DIFFERENTIAL "
                    + "(above 1: DIFFERENTIAL is faster)%n%n", rounds);
            System.out.printf(Locale.ROOT, "%-9s %9s %6s | %10s %10s %7s%n", "query", "rows", "change", "FULL", "DIFF",
                    "ratio");
            for (long size : sizes) {
                setUp(c, size);
                for (double rate : rates) {
                    long changes = Math.max(1, Math.round(size * rate));
                    List<List<Double>> full = new ArrayList<>();
                    List<List<Double>> diff = new ArrayList<>();
                    for (int q = 0; q < QUERIES.size(); q++) {
                        full.add(new ArrayList<>());
                        diff.add(new ArrayList<>());
                    }
                    for (int round = 0; round < rounds; round++) {
                        change(c, size, changes);
                        for (int q = 0; q < QUERIES.size(); q++) {
                            String name = QUERIES.get(q).name();
                            if (round % 2 == 0) {
                                diff.get(q).add(refresh(c, name + "_diff"));
                                full.get(q).add(refresh(c, name + "_full"));
                            } else {
                                full.get(q).add(refresh(c, name + "_full"));
                                diff.get(q).add(refresh(c, name + "_diff"));
                            }
                            same(c, name);
                        }
                    }
                    for (int q = 0; q < QUERIES.size(); q++) {
                        double f = median(full.get(q));
                        double d = median(diff.get(q));
                        System.out.printf(Locale.ROOT, "%-9s %9d %5.1f%% | %10.1f %10.1f %6.2fx%n", QUERIES.get(q).name(),
                                size, rate * 100, f, d, f / d);
                    }
                }
            }
        }
    }

    private static void setUp(Connection c, long size) throws SQLException {
        exec(c, "DROP TABLE IF EXISTS src, bag, dim, cat CASCADE");
        for (Query q : ALL) {
            for (String mode : List.of("diff", "full")) {
                if (!rows(c, "SELECT 1 FROM pg_class WHERE relname = '" + q.name() + "_" + mode + "'").isEmpty()) {
                    exec(c, "SELECT pgtrickle.drop_stream_table('" + q.name() + "_" + mode + "')");
                }
            }
        }
        exec(c, "CREATE TABLE src (id serial PRIMARY KEY, region text, category text, amount numeric(12,2), score double precision)",
                "INSERT INTO src (region, category, amount, score) SELECT (ARRAY['north','south','east','west','central'])"
                        + "[1 + g % 5], (ARRAY['a','b','c','d'])[1 + g % 4], round((random() * 10000)::numeric, 2), random() "
                        + "FROM generate_series(1, " + size + ") g",
                "CREATE TABLE bag (region text, category text, amount numeric)",
                "INSERT INTO bag SELECT region, category, round(amount, -2) FROM src",
                "CREATE TABLE dim (region text PRIMARY KEY, name text)",
                "INSERT INTO dim SELECT r, upper(r) FROM unnest(ARRAY['north','south','east','west','central']) r",
                "CREATE TABLE cat (category text PRIMARY KEY, label text)",
                "INSERT INTO cat SELECT c, 'category ' || c FROM unnest(ARRAY['a','b','c','d']) c",
                "VACUUM ANALYZE src", "VACUUM ANALYZE bag", "VACUUM ANALYZE dim", "VACUUM ANALYZE cat");
        for (Query q : QUERIES) {
            exec(c, "SELECT pgtrickle.create_stream_table('" + q.name() + "_diff', $q$" + q.sql() + "$q$, '1h', 'DIFFERENTIAL')",
                    "SELECT pgtrickle.create_stream_table('" + q.name() + "_full', $q$" + q.sql() + "$q$, '1h', 'FULL')");
        }
        exec(c, "CHECKPOINT");
    }

    /** {@code n} changes at random ids: 70% updates, 15% inserts, 15% deletes; the same in the keyless bag. */
    private static void change(Connection c, long size, long n) throws SQLException {
        long updates = Math.round(n * 0.7);
        long inserts = Math.round(n * 0.15);
        long deletes = n - updates - inserts;
        String ids = "SELECT (1 + random() * (SELECT max(id) FROM src))::int FROM generate_series(1, %d)";
        exec(c, "UPDATE src SET amount = round((random() * 10000)::numeric, 2), score = random() WHERE id IN ("
                        + String.format(Locale.ROOT, ids, updates) + ")",
                "INSERT INTO src (region, category, amount, score) SELECT 'north', 'a', round((random() * 10000)::numeric, 2), "
                        + "random() FROM generate_series(1, " + inserts + ")",
                "DELETE FROM src WHERE id IN (" + String.format(Locale.ROOT, ids, deletes) + ")",
                "UPDATE bag SET amount = amount + 100 WHERE ctid IN (SELECT ctid FROM bag TABLESAMPLE BERNOULLI ("
                        + 70.0 * n / size + "))",
                "INSERT INTO bag SELECT 'north', 'a', round((random() * 10000)::numeric, -2) FROM generate_series(1, " + inserts + ")",
                "DELETE FROM bag WHERE ctid IN (SELECT ctid FROM bag TABLESAMPLE BERNOULLI (" + 15.0 * n / size + "))");
    }

    private static double refresh(Connection c, String name) throws SQLException {
        long start = System.nanoTime();
        exec(c, "SELECT pgtrickle.refresh_stream_table('" + name + "')");
        return (System.nanoTime() - start) / 1e6;
    }

    /** The DIFFERENTIAL and the FULL table hold the same multiset of rows. */
    private static void same(Connection c, String query) throws SQLException {
        String cols = String.join(", ", rows(c, "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = '"
                + query + "_full'::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT LIKE '\\_\\_pgt%' ORDER BY attnum"));
        String diff = "SELECT " + cols + " FROM " + query + "_diff";
        String full = "SELECT " + cols + " FROM " + query + "_full";
        List<String> n = rows(c, "SELECT (SELECT count(*) FROM ((" + diff + ") EXCEPT ALL (" + full + ")) a) + "
                + "(SELECT count(*) FROM ((" + full + ") EXCEPT ALL (" + diff + ")) b)");
        if (!n.get(0).equals("0")) {
            throw new IllegalStateException(query + ": DIFFERENTIAL and FULL differ in " + n.get(0) + " rows");
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static void exec(Connection c, String... statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
