package io.pgtrickle.it.differential;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential refresh of grouped queries over one table: COUNT(*), COUNT(x), SUM, AVG, MIN, MAX,
 * COUNT(DISTINCT), HAVING crossed both ways, NULL group keys, group-key updates, aggregates over all rows
 * of a table that empties; over tables with and without a primary key. Both rules: groups recomputed,
 * and COUNT/SUM/AVG of exact values maintained from the changes (numeric(p,s) keeps its scale: the
 * oracle compares text).
 */
@PgTest
class DifferentialAggregateTest {
    private Connection c;

    @BeforeEach
    void setUp(TestDatabase db) throws SQLException {
        c = db.connectPgtrickle();
        exec(c, "DROP TABLE IF EXISTS sales, bag CASCADE",
                "CREATE TABLE sales (id int PRIMARY KEY, region text, category text, amount numeric, qty int, price numeric(8,2))",
                "INSERT INTO sales SELECT g, (ARRAY['n','s','e',NULL])[g % 4 + 1], (ARRAY['a','b','c'])[g % 3 + 1], "
                        + "g * 1.5, CASE WHEN g % 5 = 0 THEN NULL ELSE g % 7 END, "
                        + "CASE WHEN g % 6 = 0 THEN NULL ELSE g * 0.37 END FROM generate_series(1, 90) g",
                "CREATE TABLE bag (k text, v int)", "INSERT INTO bag SELECT (ARRAY['x','y',NULL])[g % 3 + 1], g % 4 FROM generate_series(1, 30) g");
    }

    @AfterEach
    void tearDown() throws SQLException {
        for (String name : rows(c, "SELECT format('%I.%I', pgt_schema, pgt_name) FROM pgtrickle.pgt_stream_tables")) {
            exec(c, "SELECT pgtrickle.drop_stream_table('" + name.replace("'", "''") + "')");
        }
        c.close();
    }

    private void refreshAndCheck(String query) throws SQLException {
        exec(c, "SELECT pgtrickle.refresh_stream_table('agg')");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('agg', 1)")).isIn("DIFFERENTIAL", "NO_DATA");
        Oracle.assertStreamTableMatches(c, "agg", query);
    }

    static final String[] QUERIES = {
        "SELECT region, count(*) AS n, count(qty) AS with_qty, sum(amount) AS total, avg(qty) AS mean, "
                + "min(amount) AS low, max(qty) AS high FROM sales GROUP BY region",
        "SELECT region, category, count(DISTINCT qty) AS kinds, sum(qty) AS units FROM sales WHERE amount > 10 "
                + "GROUP BY region, category HAVING count(*) > 3",
        "SELECT count(*) AS n, sum(amount) AS total, min(qty) AS low, max(amount) AS high FROM sales",
        "SELECT s.category, string_agg(s.id::text, ',' ORDER BY s.id) AS ids, every(s.qty > 2) AS all_big "
                + "FROM sales s GROUP BY 1",
        "SELECT k, count(*) AS n, sum(v) AS total, max(v) AS high FROM bag GROUP BY k",
        "SELECT count(*) AS n, count(DISTINCT k) AS keys FROM bag WHERE v > 0",
        // maintained from the changes (COUNT, SUM, AVG of integers and numeric(p,s)): the rest are recomputed
        "SELECT region, count(*) AS n, count(qty) AS with_qty, sum(qty) AS units, avg(qty) AS mean, sum(id) AS ids, "
                + "count(amount) AS amounts FROM sales WHERE id <> 7 GROUP BY region",
        "SELECT category, region, sum(price) AS total, avg(price) AS mean, count(price) AS priced, count(*) AS n "
                + "FROM sales GROUP BY category, region",
        "SELECT count(*) AS n, sum(price) AS total, avg(qty) AS mean, sum(qty::bigint) AS units FROM sales",
        "SELECT k, count(*) AS n, sum(v) AS total, avg(v) AS mean FROM bag GROUP BY k",
        "SELECT count(v) AS n, sum(v) AS total FROM bag WHERE k IS NOT NULL",
        // DISTINCT: a GROUP BY of every output, counted from the changes
        "SELECT DISTINCT region, category FROM sales WHERE amount > 10",
        "SELECT DISTINCT * FROM bag",
        "SELECT DISTINCT coalesce(k, 'none') AS k, v % 2 AS parity FROM bag",
    };

    /** The first query of {@link #QUERIES} maintained from the changes alone. */
    static final int FIRST_FROM_CHANGES = 6;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
    void everyKindOfChangeIsAppliedDifferentially(int q) throws SQLException {
        String query = QUERIES[q];
        exec(c, "SELECT pgtrickle.create_stream_table('agg', $q$" + query + "$q$, '1m', 'DIFFERENTIAL')");
        Oracle.assertStreamTableMatches(c, "agg", query);
        exec(c, "INSERT INTO sales VALUES (1001, 'w', 'a', 5, 9, 1.10), (1002, NULL, 'b', 7, NULL, NULL)",
                "INSERT INTO bag VALUES ('z', 3), (NULL, 1)");
        refreshAndCheck(query); // a new group, and the NULL group grows
        exec(c, "DELETE FROM sales WHERE amount = (SELECT min(amount) FROM sales WHERE region = 'n')", // the minimum goes
                "UPDATE sales SET qty = 100 WHERE id = 2", "DELETE FROM bag WHERE ctid = (SELECT ctid FROM bag WHERE k = 'x' LIMIT 1)");
        refreshAndCheck(query);
        exec(c, "UPDATE sales SET region = 's' WHERE region = 'e'", // every row of a group moves to another
                "UPDATE sales SET category = 'c' WHERE id % 10 = 0", "UPDATE bag SET k = 'y' WHERE k IS NULL");
        refreshAndCheck(query);
        exec(c, "DELETE FROM sales WHERE category = 'b' AND region = 'n'", "UPDATE sales SET amount = 1 WHERE id < 30", // HAVING crossed down
                "UPDATE bag SET v = 0 WHERE k = 'y'");
        refreshAndCheck(query);
        exec(c, "INSERT INTO sales SELECT 2000 + g, 'n', 'b', 50, g FROM generate_series(1, 10) g", // and up
                "UPDATE sales SET id = id + 5000 WHERE id % 9 = 0");
        refreshAndCheck(query);
        exec(c, "TRUNCATE bag", "INSERT INTO bag VALUES ('q', 1)", "DELETE FROM sales WHERE region = 'w'");
        refreshAndCheck(query);
        exec(c, "DELETE FROM sales", "DELETE FROM bag"); // emptied: a global aggregate keeps its one row
        refreshAndCheck(query);
        exec(c, "INSERT INTO sales VALUES (1, 'n', 'a', 2, 2, 0.50)", "INSERT INTO bag VALUES (NULL, 2)");
        refreshAndCheck(query);
        exec(c, "UPDATE sales SET price = price + 0.01, qty = NULL", "INSERT INTO sales VALUES (3, 'n', 'a', 2, NULL, NULL)");
        refreshAndCheck(query); // every argument NULL: SUM and AVG are NULL, COUNT 0
        exec(c, "BEGIN", "INSERT INTO sales VALUES (4, 'x', 'b', 1, 1, 9.99)", "DELETE FROM sales WHERE id = 4",
                "INSERT INTO bag VALUES ('new', 1)", "DELETE FROM bag WHERE k = 'new'", "COMMIT");
        refreshAndCheck(query); // a group that came and went within the window
    }

    @Test
    void minAndMaxAreKeptFromTheChangesAndReadAgainOnlyWhenTheirRowGoes() throws SQLException {
        String query = "SELECT region, min(qty) AS low, max(price) AS high, min(category) AS first, count(*) AS n "
                + "FROM sales WHERE id <> 3 GROUP BY region";
        exec(c, "SELECT pgtrickle.create_stream_table('agg', $q$" + query + "$q$)");
        assertThat(value(c, "SELECT effective FROM pgtrickle.explain_refresh_mode('agg')")).isEqualTo("DIFFERENTIAL");
        assertThat(value(c, "SELECT value FROM pgtrickle.explain_st('agg') WHERE property = 'delta_rule'"))
                .isEqualTo("GROUPS_FROM_CHANGES");
        String[][] windows = {
            {"DELETE FROM sales WHERE id = (SELECT id FROM sales WHERE region = 'n' AND qty IS NOT NULL AND id <> 3 "
                    + "ORDER BY qty, id LIMIT 1)"}, // the current minimum goes
            {"UPDATE sales SET price = 0.01 WHERE id = (SELECT id FROM sales WHERE region = 's' AND price IS NOT NULL "
                    + "ORDER BY price DESC LIMIT 1)"}, // the maximum moves down
            {"INSERT INTO sales VALUES (200, 'n', 'a', 1, -5, 999.99), (201, 'e', '0', 1, NULL, NULL)"}, // new extremes
            {"UPDATE sales SET qty = NULL WHERE region = 's'"}, // every argument NULL: MIN is NULL
            {"DELETE FROM sales WHERE region = 'e'"}, // the group goes
            {"UPDATE sales SET region = 'e' WHERE region IS NULL", "UPDATE sales SET qty = qty + 100 WHERE region = 'n'"},
            {"BEGIN", "INSERT INTO sales VALUES (300, 'n', 'a', 1, -99, 5000)", "DELETE FROM sales WHERE id = 300", "COMMIT"},
            {"UPDATE sales SET id = id + 1000 WHERE id = 3"}, // a row the WHERE kept out comes in
            {"TRUNCATE sales", "INSERT INTO sales VALUES (1, 'n', 'b', 1, 4, 1.00), (2, NULL, 'a', 1, 2, 2.00)"},
        };
        for (String[] window : windows) {
            exec(c, window);
            refreshAndCheck(query);
        }
    }

    @Test
    void autoKeepsRecomputedGroupsFullAndMaintainsTheOthersFromTheChanges() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('agg', $q$" + QUERIES[0] + "$q$)");
        assertThat(value(c, "SELECT effective || ': ' || reason FROM pgtrickle.explain_refresh_mode('agg')"))
                .startsWith("FULL: a grouped query with aggregates other than COUNT, SUM and AVG");
        exec(c, "SELECT pgtrickle.drop_stream_table('agg')",
                "SELECT pgtrickle.create_stream_table('agg', $q$" + QUERIES[FIRST_FROM_CHANGES + 1] + "$q$)");
        assertThat(value(c, "SELECT effective FROM pgtrickle.explain_refresh_mode('agg')")).isEqualTo("DIFFERENTIAL");
        assertThat(rows(c, "SELECT attname FROM pg_attribute WHERE attrelid = 'agg'::regclass AND attnum > 0 "
                + "AND attname LIKE '\\_\\_pgt\\_%' ORDER BY attnum"))
                .containsExactly("__pgt_count", "__pgt_nn_3", "__pgt_sum_3", "__pgt_nn_4", "__pgt_sum_4", "__pgt_nn_5");
        exec(c, "UPDATE sales SET price = price * 2 WHERE id < 20");
        refreshAndCheck(QUERIES[FIRST_FROM_CHANGES + 1]);
    }

    @Test
    void aStoredStateThatDriftedIsRecomputed() throws SQLException {
        String query = QUERIES[FIRST_FROM_CHANGES];
        exec(c, "SELECT pgtrickle.create_stream_table('agg', $q$" + query + "$q$, '1m', 'DIFFERENTIAL')");
        // someone bypasses the guard and removes a group: its next delete would make a count negative
        exec(c, "BEGIN", "SELECT set_config('pgtrickle.maintenance', 'on', true)", "DELETE FROM agg WHERE region = 'n'",
                "COMMIT", "DELETE FROM sales WHERE id = 4");
        exec(c, "SELECT pgtrickle.refresh_stream_table('agg')");
        assertThat(value(c, "SELECT action || ': ' || reason FROM pgtrickle.get_refresh_history('agg', 1)"))
                .isEqualTo("FULL: 1 rows to delete were not in the stream table: recomputed");
        Oracle.assertStreamTableMatches(c, "agg", query);
    }

    @Test
    void groupKeysThatAreNotSelectedAreRefusedForDifferential() throws SQLException {
        SQLException e = io.pgtrickle.it.harness.Sql.fails(c, "0A000",
                "SELECT pgtrickle.create_stream_table('agg', 'SELECT count(*) AS n FROM sales GROUP BY region', '1m', 'DIFFERENTIAL')");
        assertThat(e.getMessage()).contains("a GROUP BY key the select list does not show");
    }

    @Test
    void theGroupIdentityTreatsNullsAsEqual() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('agg', $q$" + QUERIES[0] + "$q$, '1m', 'DIFFERENTIAL')");
        assertThat(rows(c, "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'agg'::regclass"))
                .singleElement().asString().endsWith("USING btree (region) NULLS NOT DISTINCT");
    }
}
