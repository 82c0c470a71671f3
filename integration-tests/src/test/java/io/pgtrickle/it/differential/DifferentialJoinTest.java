package io.pgtrickle.it.differential;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.Sql;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential refresh of inner joins (2-, 3- and n-way, self joins, equi and non-equi, comma style and
 * USING), with changes on every side: the oracle after every refresh, and every refresh DIFFERENTIAL.
 */
@PgTest
class DifferentialJoinTest {
    private Connection c;

    @BeforeEach
    void setUp(TestDatabase db) throws SQLException {
        c = db.connectPgtrickle();
        exec(c, "DROP TABLE IF EXISTS orders, regions, lines, products CASCADE",
                "CREATE TABLE regions (region text PRIMARY KEY, name text, tax numeric)",
                "INSERT INTO regions VALUES ('n', 'North', 0.1), ('s', 'South', 0.2), ('e', 'East', NULL), ('w', 'West', 0)",
                "CREATE TABLE orders (id int PRIMARY KEY, region text, amount numeric, customer int)",
                "INSERT INTO orders SELECT g, (ARRAY['n','s','e','w','x',NULL])[g % 6 + 1], g * 10, g % 7 FROM generate_series(1, 60) g",
                "CREATE TABLE products (sku text PRIMARY KEY, price numeric)",
                "INSERT INTO products SELECT 'p' || g, g FROM generate_series(1, 5) g",
                "CREATE TABLE lines (order_id int, line_no int, sku text, qty int, PRIMARY KEY (order_id, line_no))",
                "INSERT INTO lines SELECT g / 2 + 1, g % 2, 'p' || (g % 6 + 1), g % 4 FROM generate_series(1, 80) g");
    }

    @AfterEach
    void tearDown() throws SQLException {
        for (String name : rows(c, "SELECT format('%I.%I', pgt_schema, pgt_name) FROM pgtrickle.pgt_stream_tables")) {
            exec(c, "SELECT pgtrickle.drop_stream_table('" + name.replace("'", "''") + "')");
        }
        c.close();
    }

    private void refreshAndCheck(String query) throws SQLException {
        exec(c, "SELECT pgtrickle.refresh_stream_table('j')");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('j', 1)")).isIn("DIFFERENTIAL", "NO_DATA");
        Oracle.assertStreamTableMatches(c, "j", query);
    }

    static final String[] QUERIES = {
        "SELECT o.id, o.amount, r.name FROM orders o JOIN regions r ON r.region = o.region",
        "SELECT o.id, r.region, o.amount * (1 + coalesce(r.tax, 0)) AS gross FROM orders o, regions r "
                + "WHERE o.region = r.region AND o.amount > 100",
        "SELECT region, o.id, r.name FROM orders o JOIN regions r USING (region) WHERE r.tax IS NOT NULL",
        "SELECT o.id, l.line_no, l.qty * p.price AS total, r.name FROM orders o JOIN lines l ON l.order_id = o.id "
                + "JOIN products p ON p.sku = l.sku JOIN regions r ON r.region = o.region",
        "SELECT a.id AS first, b.id AS second FROM orders a JOIN orders b ON a.customer = b.customer AND a.id < b.id "
                + "WHERE a.amount > 200",
        "SELECT o.id, r.name FROM orders o JOIN regions r ON o.amount BETWEEN 100 * length(r.name) AND 120 * length(r.name)",
        "SELECT o.amount, r.name FROM orders o CROSS JOIN regions r WHERE o.id < 5",
        // outer joins: NULL-extended rows appear and disappear as their partners come and go
        "SELECT o.id, o.amount, r.name FROM orders o LEFT JOIN regions r ON r.region = o.region",
        "SELECT r.region, r.name, o.id, o.amount FROM orders o RIGHT JOIN regions r ON r.region = o.region AND o.amount > 100",
        "SELECT o.id, l.line_no, p.price, r.name FROM orders o LEFT JOIN lines l ON l.order_id = o.id "
                + "LEFT JOIN products p ON p.sku = l.sku JOIN regions r ON r.region = o.region WHERE o.amount < 500",
        "SELECT region, o.id, r.name FROM orders o RIGHT JOIN regions r USING (region)",
        "SELECT o.id, r.name, l.qty FROM regions r JOIN orders o ON o.region = r.region "
                + "LEFT JOIN lines l ON l.order_id = o.id AND l.qty > length(r.name) - 4",
        // [NOT] EXISTS and [NOT] IN: rows whose subquery finds a changed row are recomputed
        "SELECT o.id, o.amount FROM orders o WHERE EXISTS (SELECT 1 FROM regions r WHERE r.region = o.region AND r.tax IS NOT NULL)",
        "SELECT id, region FROM orders WHERE region NOT IN (SELECT region FROM regions WHERE name LIKE 'N%')",
        "SELECT o.id, r.name FROM orders o JOIN regions r ON r.region = o.region "
                + "WHERE NOT EXISTS (SELECT 1 FROM lines l WHERE l.order_id = o.id AND l.qty > 1)",
        "SELECT o.id FROM orders o WHERE o.customer IN (SELECT customer FROM orders x WHERE x.amount > 400) "
                + "AND o.id NOT IN (SELECT qty FROM lines) OR o.amount = 10",
    };

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
    void changesOnEverySideAreAppliedDifferentially(int q) throws SQLException {
        String query = QUERIES[q];
        exec(c, "SELECT pgtrickle.create_stream_table('j', $q$" + query + "$q$, '1m', 'DIFFERENTIAL')");
        Oracle.assertStreamTableMatches(c, "j", query);
        exec(c, "INSERT INTO orders VALUES (101, 'n', 500, 1), (102, 'q', 700, 2)", "INSERT INTO regions VALUES ('q', 'Quarry', 0.5)");
        refreshAndCheck(query);
        exec(c, "UPDATE orders SET amount = amount + 150 WHERE id % 4 = 0", "UPDATE regions SET name = 'Northern' WHERE region = 'n'");
        refreshAndCheck(query);
        exec(c, "UPDATE orders SET region = 's' WHERE region = 'e'", // join keys move
                "UPDATE regions SET region = 'ee' WHERE region = 'w'", "UPDATE orders SET customer = 3 WHERE id < 10");
        refreshAndCheck(query);
        exec(c, "UPDATE orders SET id = id + 1000 WHERE id % 9 = 0", "UPDATE lines SET qty = qty + 1 WHERE line_no = 1",
                "UPDATE products SET price = price * 2 WHERE sku = 'p2'", "DELETE FROM products WHERE sku = 'p3'",
                "UPDATE lines SET qty = NULL WHERE order_id = 5"); // NOT IN over a NULL is never true
        refreshAndCheck(query);
        // the join trap: rows deleted on both sides of the join in one window
        exec(c, "DELETE FROM orders WHERE region = 'n'", "DELETE FROM regions WHERE region = 'n'",
                "DELETE FROM lines WHERE order_id IN (2, 3)", "DELETE FROM orders WHERE id = 2");
        refreshAndCheck(query);
        exec(c, "INSERT INTO regions VALUES ('n', 'New North', 0.3)", "INSERT INTO orders VALUES (200, 'n', 900, 1)");
        refreshAndCheck(query);
        exec(c, "TRUNCATE regions", "INSERT INTO regions VALUES ('s', 'Solo', 1)");
        refreshAndCheck(query);
        exec(c, "DELETE FROM orders");
        refreshAndCheck(query);
    }

    @Test
    void simultaneousDeletesOnBothSidesOfAJoin() throws SQLException {
        String query = "SELECT o.id, o.amount, r.name FROM orders o JOIN regions r ON r.region = o.region";
        exec(c, "SELECT pgtrickle.create_stream_table('j', $q$" + query + "$q$, '1m', 'DIFFERENTIAL')");
        int before = Integer.parseInt(value(c, "SELECT count(*) FROM j WHERE name = 'South'"));
        assertThat(before).isPositive();
        // every joined pair of region 's' loses both sides at once, and a new pair appears for it
        exec(c, "BEGIN", "DELETE FROM orders WHERE region = 's'", "DELETE FROM regions WHERE region = 's'",
                "INSERT INTO regions VALUES ('s', 'South again', 0)", "INSERT INTO orders VALUES (300, 's', 1, 1)", "COMMIT");
        refreshAndCheck(query);
        assertThat(rows(c, "SELECT id || ' ' || name FROM j WHERE name LIKE 'South%'")).containsExactly("300 South again");
    }

    @Test
    void aStreamTableOverAStreamTableIsMaintainedDifferentially() throws SQLException {
        String first = "SELECT o.id, o.amount, r.name FROM orders o JOIN regions r ON r.region = o.region";
        String second = "SELECT j.id, j.name, j.amount * 2 AS twice FROM j WHERE j.amount > 100";
        String third = "SELECT id, count(*) AS n FROM j2 GROUP BY id";
        exec(c, "SELECT pgtrickle.create_stream_table('j', $q$" + first + "$q$, '1m', 'DIFFERENTIAL')",
                "SELECT pgtrickle.create_stream_table('j2', $q$" + second + "$q$)", // AUTO: the identity of j is its key
                "SELECT pgtrickle.create_stream_table('j3', $q$" + third + "$q$, '1m', 'DIFFERENTIAL')");
        assertThat(value(c, "SELECT effective FROM pgtrickle.explain_refresh_mode('j2')")).isEqualTo("DIFFERENTIAL");
        exec(c, "UPDATE orders SET amount = amount + 100 WHERE id % 3 = 0", "UPDATE regions SET name = 'N' WHERE region = 'n'",
                "DELETE FROM orders WHERE id % 5 = 0", "UPDATE orders SET region = 's' WHERE id % 7 = 0");
        for (int round = 0; round < 2; round++) {
            for (String[] st : new String[][] {{"j", first}, {"j2", second}, {"j3", third}}) {
                exec(c, "SELECT pgtrickle.refresh_stream_table('" + st[0] + "')");
                assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('" + st[0] + "', 1)"))
                        .isIn("DIFFERENTIAL", "NO_DATA");
                Oracle.assertStreamTableMatches(c, st[0], st[1]);
            }
            exec(c, "DELETE FROM regions WHERE region = 's'", "INSERT INTO orders VALUES (" + (900 + round) + ", 'n', 999, 1)");
        }
        exec(c, "SELECT pgtrickle.drop_stream_table('j3')", "SELECT pgtrickle.drop_stream_table('j2')");
    }

    @Test
    void aNullExtendedRowAppearsAndDisappearsWithItsPartner() throws SQLException {
        String query = "SELECT o.id, r.name FROM orders o LEFT JOIN regions r ON r.region = o.region";
        exec(c, "SELECT pgtrickle.create_stream_table('j', $q$" + query + "$q$)");
        assertThat(value(c, "SELECT effective FROM pgtrickle.explain_refresh_mode('j')")).isEqualTo("DIFFERENTIAL");
        assertThat(rows(c, "SELECT coalesce(name, '-') FROM j WHERE id IN (1, 4) ORDER BY id")).containsExactly("South", "-");
        exec(c, "DELETE FROM regions WHERE region = 's'", "INSERT INTO regions VALUES ('x', 'Extra', 0)");
        refreshAndCheck(query);
        assertThat(rows(c, "SELECT coalesce(name, '-') FROM j WHERE id IN (1, 4) ORDER BY id")).containsExactly("-", "Extra");
        exec(c, "UPDATE regions SET region = 's' WHERE region = 'x'"); // the partner moves from one to the other
        refreshAndCheck(query);
        assertThat(rows(c, "SELECT coalesce(name, '-') FROM j WHERE id IN (1, 4) ORDER BY id")).containsExactly("Extra", "-");
    }

    @Test
    void explainStShowsTheTreeTheRuleAndTheStatements() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('j', $q$" + QUERIES[7] + "$q$)",
                "SELECT pgtrickle.create_stream_table('jf', $q$" + QUERIES[7] + "$q$, '1m', 'FULL')");
        assertThat(rows(c, "SELECT property FROM pgtrickle.explain_st('j')")).containsExactly("configured_mode",
                "effective_mode", "mode_reason", "defining_query", "sources", "operator_tree", "delta_rule", "delta_sql",
                "refresh_sql");
        String explain = "SELECT value FROM pgtrickle.explain_st('%s') WHERE property = '%s'";
        assertThat(value(c, String.format(explain, "j", "effective_mode"))).isEqualTo("DIFFERENTIAL");
        assertThat(value(c, String.format(explain, "j", "sources"))).isEqualTo("public.orders, public.regions");
        assertThat(value(c, String.format(explain, "j", "operator_tree"))).startsWith("Project[")
                .contains("\n  Join[outer: orders o LEFT JOIN regions r ON r.region = o.region; NULL-extended: r anchored on o]")
                .contains("\n    Scan[public.regions AS r key (region)]");
        assertThat(value(c, String.format(explain, "j", "delta_rule"))).isEqualTo("KEYS_RECOMPUTED");
        assertThat(value(c, String.format(explain, "j", "delta_sql"))).startsWith("WITH __pgt_window_1 AS (")
                .contains("__pgt_anchor_2 AS (");
        assertThat(value(c, String.format(explain, "j", "refresh_sql"))).contains("AS \"__pgt_key_2\"");
        // a FULL table has no tree, rule or delta; its refresh runs the defining query
        assertThat(value(c, String.format(explain, "jf", "effective_mode"))).isEqualTo("FULL");
        assertThat(rows(c, "SELECT property FROM pgtrickle.explain_st('jf') WHERE value IS NULL"))
                .containsExactly("operator_tree", "delta_rule", "delta_sql");
        assertThat(value(c, String.format(explain, "jf", "refresh_sql"))).contains("LEFT JOIN public.regions r");
        Sql.fails(c, "42P01", "SELECT * FROM pgtrickle.explain_st('nope')");
    }

    @Test
    void theKeysOfEveryTableAreIndexedInTheStorage() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('j', $q$" + QUERIES[3] + "$q$, '1m', 'DIFFERENTIAL')");
        assertThat(rows(c, "SELECT attname FROM pg_attribute WHERE attrelid = 'j'::regclass AND attnum > 0 "
                + "AND NOT attisdropped ORDER BY attnum"))
                .containsExactly("id", "line_no", "total", "name", "__pgt_key_2", "__pgt_key_4", "__pgt_key_5");
        assertThat(rows(c, "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'j'::regclass ORDER BY 1"))
                .hasSize(4).anyMatch(d -> d.startsWith("CREATE UNIQUE INDEX") && d.endsWith(
                        "USING btree (id, __pgt_key_2, line_no, __pgt_key_4, __pgt_key_5)"));
    }
}
