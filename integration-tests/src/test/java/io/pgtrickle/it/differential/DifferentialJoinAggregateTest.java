package io.pgtrickle.it.differential;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Oracle;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential refresh of grouped and DISTINCT queries over inner joins: two and three tables, comma
 * joins, USING, a self join with a non-equi condition, a table without a key whose rows repeat; COUNT,
 * SUM, AVG maintained from the changes, and MIN, MAX, COUNT(DISTINCT), string_agg, HAVING recomputed per
 * changed group. The changes hit every table: join keys and group keys updated on both sides, deletes on
 * both sides of a join in one window (the join trap), NULL join keys, TRUNCATE, a table emptied.
 */
class DifferentialJoinAggregateTest extends OrdersTestBase {
    static final String[] QUERIES = {
        // maintained from the changes
        "SELECT c.region, count(*) AS n, sum(o.amount) AS total, avg(o.qty) AS mean, count(o.qty) AS with_qty "
                + "FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.region",
        "SELECT r.name, c.tier, sum(o.qty) AS units, count(*) AS n FROM orders o JOIN customers c ON c.id = o.customer_id "
                + "JOIN regions r ON r.region = c.region WHERE o.status <> 'void' GROUP BY r.name, c.tier",
        "SELECT i.sku, sum(i.n * o.qty) AS total, count(*) AS n FROM items i JOIN orders o ON o.id = i.order_id GROUP BY i.sku",
        "SELECT a.region, count(*) AS pairs FROM customers a JOIN customers b ON a.region = b.region AND a.id < b.id "
                + "GROUP BY a.region",
        "SELECT count(*) AS n, sum(o.qty) AS units FROM orders o, customers c WHERE c.id = o.customer_id AND c.tier > 0",
        "SELECT DISTINCT c.region, o.status FROM orders o JOIN customers c ON c.id = o.customer_id",
        // the groups of the changed rows recomputed
        "SELECT c.id, min(o.amount) AS low, max(o.amount) AS high, count(DISTINCT o.status) AS kinds "
                + "FROM customers c, orders o WHERE o.customer_id = c.id GROUP BY c.id HAVING count(*) > 2",
        "SELECT region, count(*) AS n, string_agg(c.id::text, ',' ORDER BY c.id) AS ids, max(r.name) AS name "
                + "FROM customers c JOIN regions r USING (region) GROUP BY region",
        // over outer joins: the groups of the rows joined with a change, now, as they were and NULL-extended
        "SELECT r.name, count(c.id) AS customers, sum(c.tier) AS tiers FROM regions r LEFT JOIN customers c "
                + "ON c.region = r.region GROUP BY r.name",
        "SELECT c.id, count(o.id) AS orders, max(o.amount) AS biggest FROM customers c LEFT JOIN orders o "
                + "ON o.customer_id = c.id AND o.status <> 'void' GROUP BY c.id",
        "SELECT o.status, count(*) AS n, count(c.id) AS matched FROM customers c LEFT JOIN orders o "
                + "ON o.customer_id = c.id GROUP BY o.status",
        "SELECT r.name, i.sku, count(*) AS n FROM orders o RIGHT JOIN customers c ON c.id = o.customer_id "
                + "LEFT JOIN items i ON i.order_id = o.id LEFT JOIN regions r ON r.region = c.region GROUP BY r.name, i.sku",
        "SELECT DISTINCT c.tier, o.status FROM customers c LEFT JOIN orders o ON o.customer_id = c.id",
    };

    private void refreshAndCheck(String query) throws SQLException {
        exec(c, "SELECT pgtrickle.refresh_stream_table('agg')");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('agg', 1)")).isIn("DIFFERENTIAL", "NO_DATA");
        Oracle.assertStreamTableMatches(c, "agg", query);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void everyKindOfChangeOnEitherSideIsAppliedDifferentially(int q) throws SQLException {
        String query = QUERIES[q];
        exec(c, "SELECT pgtrickle.create_stream_table('agg', $q$" + query + "$q$, '1m', 'DIFFERENTIAL')");
        Oracle.assertStreamTableMatches(c, "agg", query);
        for (String[] window : OrdersFixture.CHANGES) {
            exec(c, window);
            refreshAndCheck(query);
        }
    }

    @Test
    void autoMaintainsCountsAndSumsOverAJoinFromTheChanges() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('agg', $q$" + QUERIES[1] + "$q$)");
        assertThat(value(c, "SELECT effective FROM pgtrickle.explain_refresh_mode('agg')")).isEqualTo("DIFFERENTIAL");
        assertThat(value(c, "SELECT value FROM pgtrickle.explain_st('agg') WHERE property = 'delta_rule'"))
                .isEqualTo("GROUPS_FROM_CHANGES");
        exec(c, "UPDATE regions SET name = 'Nord' WHERE region = 'n'", "DELETE FROM orders WHERE id < 5");
        refreshAndCheck(QUERIES[1]);
    }

    @Test
    void fullJoinsKeylessPreservedTablesAndSchemaQualifiedColumnsAreRefusedForDifferential() throws SQLException {
        SQLException e = io.pgtrickle.it.harness.Sql.fails(c, "0A000", "SELECT pgtrickle.create_stream_table('agg', "
                + "'SELECT r.name, count(c.id) AS n FROM regions r FULL JOIN customers c USING (region) GROUP BY r.name', "
                + "'1m', 'DIFFERENTIAL')");
        assertThat(e.getMessage()).contains("FULL outer joins");
        e = io.pgtrickle.it.harness.Sql.fails(c, "0A000", "SELECT pgtrickle.create_stream_table('agg', "
                + "'SELECT i.sku, count(o.id) AS n FROM items i LEFT JOIN orders o ON o.id = i.order_id GROUP BY i.sku', "
                + "'1m', 'DIFFERENTIAL')");
        assertThat(e.getMessage()).contains("preserved table has no primary key");
        e = io.pgtrickle.it.harness.Sql.fails(c, "0A000", "SELECT pgtrickle.create_stream_table('agg', "
                + "'SELECT public.customers.tier, count(*) AS n FROM public.customers JOIN regions USING (region) "
                + "GROUP BY public.customers.tier', '1m', 'DIFFERENTIAL')");
        assertThat(e.getMessage()).contains("schema.table.column");
    }
}
