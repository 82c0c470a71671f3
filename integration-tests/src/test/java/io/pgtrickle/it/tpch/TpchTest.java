package io.pgtrickle.it.tpch;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The 22 TPC-H queries as stream tables (ORDER BY and LIMIT left out), over a small generated data set
 * (resources tpch/: schema, data generated in SQL with a fixed seed, the queries, and change windows: new
 * orders with their lines, deleted orders, updates of prices, keys and segments, a deleted customer with
 * its orders, re-inserted keys). Each query is created DIFFERENTIAL where pgtrickle can maintain it, else
 * under AUTO, which refreshes it FULL and names why. After every window each table is refreshed and must
 * equal its query (the oracle); a DIFFERENTIAL one must have been refreshed differentially. The set of
 * differentially maintained queries is asserted, so a query that stops (or starts) being maintained that
 * way fails the test until docs/tpch.md and {@link #DIFFERENTIAL} say so.
 */
@PgTest
class TpchTest {
    /** The queries maintained differentially (docs/tpch.md). */
    static final List<Integer> DIFFERENTIAL = List.of(1, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 19, 21);

    private record Table(int number, String query, String mode, String reason) {
        String name() {
            return String.format(Locale.ROOT, "tpch_q%02d", number);
        }
    }

    static String resource(String path) throws IOException {
        try (InputStream in = TpchTest.class.getResourceAsStream("/tpch/" + path)) {
            if (in == null) {
                throw new IOException("no resource tpch/" + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyQueryStaysEqualToItsQueryThroughTheChangeWindows(TestDatabase db) throws Exception {
        List<Table> tables = new ArrayList<>();
        try (Connection plain = db.connect(); Connection c = db.connectPgtrickle()) {
            script(plain, resource("schema.sql"));
            script(plain, resource("data.sql"));
            script(plain, "ANALYZE");
            for (int q = 1; q <= 22; q++) {
                tables.add(create(c, q, resource(String.format(Locale.ROOT, "queries/q%02d.sql", q)).strip()));
            }
            for (Table t : tables) {
                Oracle.assertStreamTableMatches(c, t.name(), t.query());
            }
            String[] windows = resource("changes.sql").split("(?m)^-- window\\s*$");
            int applied = 0;
            for (String window : windows) {
                if (window.strip().isEmpty() || window.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("--"))) {
                    continue;
                }
                script(plain, window);
                applied++;
                for (Table t : tables) {
                    exec(c, "SELECT pgtrickle.refresh_stream_table('" + t.name() + "')");
                    if (t.mode().equals("DIFFERENTIAL")) {
                        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('" + t.name() + "', 1)"))
                                .as(t.name() + " refreshed differentially").isIn("DIFFERENTIAL", "NO_DATA");
                    }
                    Oracle.assertStreamTableMatches(c, t.name(), t.query());
                }
            }
            assertThat(applied).as("change windows").isGreaterThanOrEqualTo(5);
            report(c, tables);
            for (Table t : tables) {
                exec(c, "SELECT pgtrickle.drop_stream_table('" + t.name() + "')");
            }
        }
        assertThat(tables.stream().filter(t -> t.mode().equals("DIFFERENTIAL")).map(Table::number).toList())
                .as("the queries maintained differentially (docs/tpch.md)").isEqualTo(DIFFERENTIAL);
    }

    /** DIFFERENTIAL where it is accepted; else AUTO, which says why it refreshes FULL. */
    private static Table create(Connection c, int q, String query) throws SQLException {
        String name = String.format(Locale.ROOT, "tpch_q%02d", q);
        try {
            exec(c, "SELECT pgtrickle.create_stream_table('" + name + "', $q$" + query + "$q$, '1h', 'DIFFERENTIAL')");
            return new Table(q, query, "DIFFERENTIAL", value(c, "SELECT value FROM pgtrickle.explain_st('" + name
                    + "') WHERE property = 'delta_rule'"));
        } catch (SQLException e) {
            if (!"0A000".equals(e.getSQLState())) {
                throw e;
            }
            String refused = e.getMessage().replaceFirst("(?s)^.*cannot be refreshed DIFFERENTIAL: ", "")
                    .replaceFirst("(?s)\\s*(Hint|Where|  Hint):.*$", "").strip();
            exec(c, "SELECT pgtrickle.create_stream_table('" + name + "', $q$" + query + "$q$, '1h', 'AUTO')");
            return new Table(q, query, value(c, "SELECT effective FROM pgtrickle.explain_refresh_mode('" + name + "')"),
                    refused);
        }
    }

    private static void report(Connection c, List<Table> tables) throws SQLException {
        Map<String, TreeSet<Integer>> byReason = new TreeMap<>();
        System.out.println("TPC-H stream tables (all equal to their queries after every window):");
        for (Table t : tables) {
            System.out.printf(Locale.ROOT, "  Q%02d %-12s %s%n", t.number(), t.mode(), t.reason());
            byReason.computeIfAbsent(t.mode(), k -> new TreeSet<>()).add(t.number());
        }
        byReason.forEach((mode, qs) -> System.out.println("  " + mode + ": " + qs.size() + " " + qs));
    }

    private static void script(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
