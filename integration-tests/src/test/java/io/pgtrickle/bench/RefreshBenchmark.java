package io.pgtrickle.bench;

import static io.pgtrickle.bench.BenchSql.exec;
import static io.pgtrickle.bench.BenchSql.median;
import static io.pgtrickle.bench.BenchSql.rows;
import static io.pgtrickle.bench.BenchSql.timed;

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
 * {@code 0.001,0.01,0.1,0.5}; a value of 1 or more is a number of changed rows, the same at every size), rounds (default 3), optionally the names of the queries to run
 * (comma-separated, or {@code all}, the default), and {@code auto} to add an AUTO stream table per query,
 * refreshed after the others, whose time is printed against FULL with the actions AUTO chose. The floor
 * column is a hand-written statement per query doing the least work for the same change set (the changed
 * rows read from a full record of src's changes, the affected result rows written by key); overhead = DIFF / floor. The queries are those of the matrix that pgtrickle
 * maintains differentially today: scan, filter, a keyless filter, src ⋈ dim (5 regions), a 3-way join
 * (⋈ 4 categories), SUM and COUNT by region (5 groups) and by a key of 1,000 groups (amount is
 * numeric(12,2), so both are maintained from the changes), src LEFT JOIN dim, an EXISTS over dim, a
 * DISTINCT of region and category (20 rows), join_agg: SUM and COUNT of src ⋈ dim by the region's name, minmax: MIN
 * and MAX over 1,000 groups (from the changes), and lagg: COUNT and MAX over dim LEFT JOIN src (groups recomputed).
 */
public final class RefreshBenchmark {

    /**
     * A query of the matrix, and its floor: the table {@code <name>_floor}'s layout ({@code floorTable}, filled
     * from the query) and one hand-written statement that brings it up to date from {@code floor_changes}
     * (the round's changed rows of src: -1 for an old image, +1 for a new one) with the least work that
     * change set needs: the changed rows read, the affected result rows written by key. Null when there is
     * none (the keyless table, whose changes the floor does not see).
     */
    private record Query(String name, String sql, String floorTable, String floor) {
        Query(String name, String sql) {
            this(name, sql, null, null);
        }
    }

    /**
     * Old images deleted by id, each id's last image inserted if it is a new one and passes {@code where}:
     * {@code select} over images {@code s}.
     */
    private static String rowsFloor(String name, String select, String from, String where) {
        return "WITH d AS (DELETE FROM " + name + "_floor f WHERE f.id = ANY (ARRAY(SELECT id FROM floor_changes WHERE sign < 0)) "
                + "RETURNING 1) INSERT INTO " + name + "_floor SELECT " + select + " FROM (SELECT * FROM (SELECT DISTINCT ON (id) * "
                + "FROM floor_changes ORDER BY id, seq DESC) l WHERE sign > 0) s"
                + from + (where == null ? "" : " WHERE " + where);
    }

    /** The changes summed per group and added to the stored sums and counts. */
    private static String groupsFloor(String name, String key, String from) {
        return "UPDATE " + name + "_floor f SET total = f.total + c.total, n = f.n + c.n FROM (SELECT " + key
                + " AS k, sum(s.sign * s.amount) AS total, sum(s.sign) AS n FROM floor_changes s" + from
                + " GROUP BY 1) c WHERE f.k = c.k";
    }

    private static final List<Query> ALL = List.of(
            new Query("scan", "SELECT id, region, category, amount, score FROM src",
                    "SELECT id, region, category, amount, score FROM src",
                    rowsFloor("scan", "s.id, s.region, s.category, s.amount, s.score", "", null)),
            new Query("filter", "SELECT id, region, amount FROM src WHERE amount > 5000",
                    "SELECT id, region, amount FROM src WHERE amount > 5000",
                    rowsFloor("filter", "s.id, s.region, s.amount", "", "s.amount > 5000")),
            new Query("keyless", "SELECT region, category, amount FROM bag WHERE amount > 5000"),
            new Query("join", "SELECT s.id, s.amount, d.name FROM src s JOIN dim d ON d.region = s.region",
                    "SELECT s.id, s.amount, d.name FROM src s JOIN dim d ON d.region = s.region",
                    rowsFloor("join", "s.id, s.amount, d.name", " JOIN dim d ON d.region = s.region", null)),
            new Query("join3", "SELECT s.id, s.amount, d.name, c.label FROM src s JOIN dim d ON d.region = s.region "
                    + "JOIN cat c ON c.category = s.category",
                    "SELECT s.id, s.amount, d.name, c.label FROM src s JOIN dim d ON d.region = s.region "
                    + "JOIN cat c ON c.category = s.category",
                    rowsFloor("join3", "s.id, s.amount, d.name, c.label", " JOIN dim d ON d.region = s.region "
                            + "JOIN cat c ON c.category = s.category", null)),
            new Query("agg", "SELECT region, sum(amount) AS total, count(*) AS n FROM src GROUP BY region",
                    "SELECT region AS k, sum(amount) AS total, count(*) AS n FROM src GROUP BY region",
                    groupsFloor("agg", "s.region", "")),
            new Query("agg1k", "SELECT id % 1000 AS bucket, sum(amount) AS total, count(*) AS n FROM src GROUP BY 1",
                    "SELECT id % 1000 AS k, sum(amount) AS total, count(*) AS n FROM src GROUP BY 1",
                    groupsFloor("agg1k", "s.id % 1000", "")),
            new Query("ljoin", "SELECT s.id, s.amount, d.name FROM src s LEFT JOIN dim d ON d.region = s.region",
                    "SELECT s.id, s.amount, d.name FROM src s LEFT JOIN dim d ON d.region = s.region",
                    rowsFloor("ljoin", "s.id, s.amount, d.name", " LEFT JOIN dim d ON d.region = s.region", null)),
            new Query("semi", "SELECT s.id, s.amount FROM src s WHERE EXISTS (SELECT 1 FROM dim d WHERE d.region = s.region "
                    + "AND d.name <> 'none')",
                    "SELECT s.id, s.amount FROM src s WHERE EXISTS (SELECT 1 FROM dim d WHERE d.region = s.region "
                    + "AND d.name <> 'none')",
                    rowsFloor("semi", "s.id, s.amount", "", "EXISTS (SELECT 1 FROM dim d WHERE d.region = s.region "
                            + "AND d.name <> 'none')")),
            new Query("distinct", "SELECT DISTINCT region, category FROM src",
                    "SELECT region, category, count(*) AS n FROM src GROUP BY 1, 2",
                    "UPDATE distinct_floor f SET n = f.n + c.n FROM (SELECT region, category, sum(sign) AS n "
                            + "FROM floor_changes GROUP BY 1, 2) c WHERE (f.region, f.category) = (c.region, c.category)"),
            new Query("join_agg", "SELECT d.name, sum(s.amount) AS total, count(*) AS n FROM src s JOIN dim d "
                    + "ON d.region = s.region GROUP BY d.name",
                    "SELECT d.name AS k, sum(s.amount) AS total, count(*) AS n FROM src s JOIN dim d "
                    + "ON d.region = s.region GROUP BY d.name",
                    groupsFloor("join_agg", "d.name", " JOIN dim d ON d.region = s.region")),
            new Query("minmax", "SELECT id % 1000 AS bucket, min(amount) AS low, max(amount) AS high, count(*) AS n "
                    + "FROM src GROUP BY 1"),
            new Query("lagg", "SELECT d.name, count(s.id) AS n, max(s.amount) AS high FROM dim d "
                    + "LEFT JOIN src s ON s.region = d.region GROUP BY d.name"));

    /** Whether each query also has an AUTO stream table (fifth argument {@code auto}), refreshed after the others. */
    private static boolean AUTO;

    /** The queries of this run: all, or those the fourth argument names. */
    private static List<Query> QUERIES;

    public static void main(String[] args) throws Exception {
        long[] sizes = Arrays.stream((args.length > 0 ? args[0] : "10000,100000,1000000").split(","))
                .mapToLong(Long::parseLong).toArray();
        double[] rates = Arrays.stream((args.length > 1 ? args[1] : "0.001,0.01,0.1,0.5").split(","))
                .mapToDouble(Double::parseDouble).toArray();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<String> only = args.length > 3 && !args[3].equals("all") ? List.of(args[3].split(",")) : null;
        AUTO = args.length > 4 && args[4].equals("auto");
        QUERIES = only == null ? ALL : ALL.stream().filter(q -> only.contains(q.name())).toList();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("max_wal_size", "8GB")
                .setServerConfig("shared_buffers", "512MB").setServerConfig("checkpoint_timeout", "30min").start();
                Connection c = DriverManager.getConnection(
                        "jdbc:pgtrickle:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", "")) {
            System.out.printf(Locale.ROOT, "refresh after changes, %d rounds, medians in ms; speedup = FULL / DIFFERENTIAL "
                    + "(above 1: DIFFERENTIAL is faster), overhead = DIFFERENTIAL / floor%n%n", rounds);
            System.out.printf(Locale.ROOT, "%-9s %9s %10s | %10s %10s %10s | %7s %8s%n", "query", "rows", "change", "FULL",
                    "DIFF", "floor", "speedup", "overhead");
            for (long size : sizes) {
                setUp(c, size);
                for (double rate : rates) {
                    // a rate of 1 or more is a count of changed rows (the same count for every size)
                    long changes = rate >= 1 ? (long) rate : Math.max(1, Math.round(size * rate));
                    String change = rate >= 1 ? changes + " rows" : String.format(Locale.ROOT, "%.1f%%", rate * 100);
                    List<List<Double>> full = new ArrayList<>();
                    List<List<Double>> diff = new ArrayList<>();
                    List<List<Double>> floor = new ArrayList<>();
                    List<List<Double>> auto = new ArrayList<>();
                    for (int q = 0; q < QUERIES.size(); q++) {
                        full.add(new ArrayList<>());
                        diff.add(new ArrayList<>());
                        floor.add(new ArrayList<>());
                        auto.add(new ArrayList<>());
                    }
                    for (int round = 0; round < rounds; round++) {
                        change(c, size, changes);
                        for (int q = 0; q < QUERIES.size(); q++) {
                            Query query = QUERIES.get(q);
                            String name = query.name();
                            if (round % 2 == 0) {
                                diff.get(q).add(refresh(c, name + "_diff"));
                                full.get(q).add(refresh(c, name + "_full"));
                            } else {
                                full.get(q).add(refresh(c, name + "_full"));
                                diff.get(q).add(refresh(c, name + "_diff"));
                            }
                            if (query.floor() != null) {
                                floor.get(q).add(timed(c, query.floor()));
                            }
                            if (AUTO) {
                                auto.get(q).add(refresh(c, name + "_auto"));
                            }
                            same(c, name, query.floor() == null ? null : query);
                        }
                    }
                    for (int q = 0; q < QUERIES.size(); q++) {
                        double f = median(full.get(q));
                        double d = median(diff.get(q));
                        String autoColumn = AUTO ? String.format(Locale.ROOT, " | AUTO %8.1f %5.2fx of FULL, %s",
                                median(auto.get(q)), median(auto.get(q)) / f, autoActions(c, QUERIES.get(q).name(), rounds)) : "";
                        if (floor.get(q).isEmpty()) {
                            System.out.printf(Locale.ROOT, "%-9s %9d %10s | %10.1f %10.1f %10s | %6.2fx %8s%s%n",
                                    QUERIES.get(q).name(), size, change, f, d, "-", f / d, "-", autoColumn);
                        } else {
                            double m = median(floor.get(q));
                            System.out.printf(Locale.ROOT, "%-9s %9d %10s | %10.1f %10.1f %10.1f | %6.2fx %7.2fx%s%n",
                                    QUERIES.get(q).name(), size, change, f, d, m, f / d, d / m, autoColumn);
                        }
                    }
                }
            }
        }
    }

    private static void setUp(Connection c, long size) throws SQLException {
        exec(c, "DROP TABLE IF EXISTS src, bag, dim, cat, floor_changes, floor_log CASCADE");
        for (Query q : ALL) {
            exec(c, "DROP TABLE IF EXISTS " + q.name() + "_floor");
        }
        for (Query q : ALL) {
            for (String mode : List.of("diff", "full", "auto")) {
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
            if (AUTO) {
                exec(c, "SELECT pgtrickle.create_stream_table('" + q.name() + "_auto', $q$" + q.sql() + "$q$, '1h', 'AUTO')");
            }
        }
        exec(c, "CREATE TABLE floor_changes (seq bigint, sign int, id int, region text, category text, amount numeric(12,2), "
                + "score double precision)");
        for (Query q : QUERIES) {
            if (q.floor() != null) {
                exec(c, "CREATE TABLE " + q.name() + "_floor AS " + q.floorTable(),
                        "CREATE INDEX ON " + q.name() + "_floor (" + (q.floorTable().contains(" AS k,") ? "k"
                                : q.name().equals("distinct") ? "region, category" : "id") + ")",
                        "VACUUM ANALYZE " + q.name() + "_floor");
            }
        }
        // the floor's own record of src's changes, every column of every image (pgtrickle's buffer holds only
        // what the stream tables read): written by the benchmark's changes, untimed
        exec(c, "CREATE UNLOGGED TABLE floor_log (seq bigserial, op \"char\", id int, region text, category text, "
                        + "amount numeric(12,2), score double precision)",
                "CREATE OR REPLACE FUNCTION floor_log() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN "
                        + "IF TG_OP IN ('UPDATE', 'DELETE') THEN INSERT INTO floor_log (op, id, region, category, amount, score) "
                        + "SELECT 'D', id, region, category, amount, score FROM old_rows; END IF; "
                        + "IF TG_OP IN ('UPDATE', 'INSERT') THEN INSERT INTO floor_log (op, id, region, category, amount, score) "
                        + "SELECT 'I', id, region, category, amount, score FROM new_rows; END IF; RETURN NULL; END $f$",
                "CREATE TRIGGER floor_log_ins AFTER INSERT ON src REFERENCING NEW TABLE AS new_rows "
                        + "FOR EACH STATEMENT EXECUTE FUNCTION floor_log()",
                "CREATE TRIGGER floor_log_upd AFTER UPDATE ON src REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
                        + "FOR EACH STATEMENT EXECUTE FUNCTION floor_log()",
                "CREATE TRIGGER floor_log_del AFTER DELETE ON src REFERENCING OLD TABLE AS old_rows "
                        + "FOR EACH STATEMENT EXECUTE FUNCTION floor_log()");
        seen = 0;
        exec(c, "CHECKPOINT");
    }

    /** The last of floor_log's rows already copied to floor_changes. */
    private static long seen;

    /** The round's changes of src, copied to floor_changes for the floor statements. */
    private static void recordChanges(Connection c) throws SQLException {
        exec(c, "TRUNCATE floor_changes", "INSERT INTO floor_changes SELECT seq, CASE WHEN op = 'I' THEN 1 ELSE -1 END, "
                + "id, region, category, amount, score FROM floor_log WHERE seq > " + seen, "ANALYZE floor_changes");
        seen = Long.parseLong(rows(c, "SELECT coalesce(max(seq), 0) FROM floor_log").get(0));
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
        recordChanges(c);
    }

    /** The actions of the AUTO table's last {@code rounds} refreshes, e.g. {@code DIFFERENTIAL x2 FULL x1}. */
    private static String autoActions(Connection c, String query, int rounds) throws SQLException {
        return String.join(" ", rows(c, "SELECT action || ' x' || count(*) FROM (SELECT action FROM "
                + "pgtrickle.get_refresh_history('" + query + "_auto', " + rounds + ")) h GROUP BY action ORDER BY action"));
    }

    private static double refresh(Connection c, String name) throws SQLException {
        long start = System.nanoTime();
        exec(c, "SELECT pgtrickle.refresh_stream_table('" + name + "')");
        return (System.nanoTime() - start) / 1e6;
    }

    /** The DIFFERENTIAL and the FULL table hold the same multiset of rows; so does the floor's, when there is one. */
    private static void same(Connection c, String query, Query withFloor) throws SQLException {
        String cols = String.join(", ", rows(c, "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = '"
                + query + "_full'::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT LIKE '\\_\\_pgt%' ORDER BY attnum"));
        String full = "SELECT " + cols + " FROM " + query + "_full";
        differ(c, query + ": DIFFERENTIAL and FULL", "SELECT " + cols + " FROM " + query + "_diff", full);
        if (withFloor != null) {
            String floor = query.equals("distinct") ? "SELECT region, category FROM distinct_floor WHERE n > 0"
                    : "SELECT * FROM " + query + "_floor";
            differ(c, query + ": the floor and FULL", floor, full);
        }
    }

    private static void differ(Connection c, String what, String a, String b) throws SQLException {
        List<String> n = rows(c, "SELECT (SELECT count(*) FROM ((" + a + ") EXCEPT ALL (" + b + ")) a) + "
                + "(SELECT count(*) FROM ((" + b + ") EXCEPT ALL (" + a + ")) b)");
        if (!n.get(0).equals("0")) {
            throw new IllegalStateException(what + " differ in " + n.get(0) + " rows");
        }
    }

}
