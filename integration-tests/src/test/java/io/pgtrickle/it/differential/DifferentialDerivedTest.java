package io.pgtrickle.it.differential;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Sql;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential refresh of queries counted row by row over the changed rows of their FROM clause:
 * subqueries in FROM (joined with tables, nested, a UNION ALL inside), common table expressions (one
 * used twice, one reading another), a top-level UNION ALL, inner joins with a table without a key, and
 * aggregates over subqueries and CTEs, UNION (a DISTINCT over the UNION ALL); every kind of change on every table ({@link OrdersFixture}).
 */
class DifferentialDerivedTest extends OrdersTestBase {
    static final String[] QUERIES = {
        "SELECT x.id, x.total, r.name FROM (SELECT o.id, o.amount * o.qty AS total, c.region FROM orders o "
                + "JOIN customers c ON c.id = o.customer_id WHERE o.status <> 'void') x JOIN regions r ON r.region = x.region",
        "SELECT u.who, u.what FROM (SELECT c.id AS who, c.region AS what FROM customers c UNION ALL "
                + "SELECT y.cid, y.sku FROM (SELECT i.order_id AS cid, i.sku FROM items i WHERE i.n > 0) y) u WHERE u.what IS NOT NULL",
        "WITH paid AS (SELECT id, customer_id, amount FROM orders WHERE status = 'paid'), "
                + "big AS (SELECT p.id, p.customer_id FROM paid p WHERE p.amount > 10) "
                + "SELECT b.id, p.amount, b.customer_id FROM big b JOIN paid p ON p.customer_id = b.customer_id AND p.id <> b.id",
        "SELECT id, region AS label FROM customers WHERE tier > 0 UNION ALL SELECT o.id, r.name FROM orders o "
                + "JOIN customers c ON c.id = o.customer_id JOIN regions r ON r.region = c.region UNION ALL SELECT order_id, sku FROM items",
        "SELECT i.sku, i.n, o.status FROM items i JOIN orders o ON o.id = i.order_id WHERE i.n <> 2",
        "WITH j AS (SELECT c.region, o.amount FROM orders o JOIN customers c ON c.id = o.customer_id) "
                + "SELECT region, count(*) AS n, sum(amount) AS total FROM j GROUP BY region",
        "SELECT x.region, count(*) AS n, sum(x.qty) AS units FROM (SELECT c.region, o.qty FROM orders o "
                + "JOIN customers c ON c.id = o.customer_id UNION ALL SELECT region, tier FROM customers) x GROUP BY x.region",
        "SELECT x.region, max(x.amount) AS high, count(DISTINCT x.status) AS kinds FROM (SELECT c.region, o.amount, o.status "
                + "FROM orders o, customers c WHERE c.id = o.customer_id UNION ALL SELECT region, 0, 'none' FROM customers) x GROUP BY x.region",
        "SELECT c.region AS label, o.status FROM orders o JOIN customers c ON c.id = o.customer_id UNION "
                + "SELECT sku, 'item' FROM items WHERE n > 1 UNION SELECT name, NULL FROM regions",
        "SELECT customer_id AS who FROM orders WHERE qty > 1 UNION ALL SELECT id FROM customers UNION SELECT order_id FROM items",
    };

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
    void everyKindOfChangeIsAppliedDifferentially(int q) throws SQLException {
        maintainedThroughTheChanges(QUERIES[q]);
    }

    @Test
    void autoMaintainsThemAndExplainsTheRule() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('st', $q$" + QUERIES[2] + "$q$)");
        assertThat(value(c, "SELECT effective FROM pgtrickle.explain_refresh_mode('st')")).isEqualTo("DIFFERENTIAL");
        assertThat(value(c, "SELECT value FROM pgtrickle.explain_st('st') WHERE property = 'delta_rule'"))
                .isEqualTo("IMAGES_COUNTED");
    }

    @Test
    void nonLinearSubqueriesAreRefusedWithTheirName() throws SQLException {
        String[][] cases = {
            {"SELECT x.region, x.n FROM (SELECT region, count(*) AS n FROM customers GROUP BY region) x", "aggregates in a subquery in FROM"},
            {"SELECT x.region FROM (SELECT DISTINCT region FROM customers) x", "DISTINCT in a subquery in FROM"},
            {"SELECT x.id FROM (SELECT id FROM customers ORDER BY id LIMIT 3) x", "ORDER BY / LIMIT"},
            {"SELECT x.id FROM (SELECT * FROM customers) x", "* in a subquery in FROM"},
            {"WITH RECURSIVE t AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT n FROM t", "WITH RECURSIVE"},
        };
        for (String[] k : cases) {
            SQLException e = Sql.fails(c, "0A000", "SELECT pgtrickle.create_stream_table('st', $q$" + k[0] + "$q$, '1m', 'DIFFERENTIAL')");
            assertThat(e.getMessage()).as(k[0]).contains(k[1]);
        }
    }
}
