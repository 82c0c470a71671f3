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
 * [NOT] EXISTS and [NOT] IN subqueries in the WHERE of grouped and DISTINCT queries (over one table and
 * over joins, with comma joins whose conditions are in the WHERE beside the subquery): the groups of the
 * changed rows and of the rows whose subquery finds a changed row are recomputed; every kind of change on
 * every table ({@link OrdersFixture}), the subquery's table changing alone too.
 */
class DifferentialGroupedSubqueryTest extends OrdersTestBase {
    static final String[] QUERIES = {
        "SELECT status, count(*) AS n, sum(amount) AS total FROM orders o "
                + "WHERE EXISTS (SELECT 1 FROM items i WHERE i.order_id = o.id AND i.n > 1) GROUP BY status",
        "SELECT c.region, count(*) AS n, max(o.amount) AS high FROM orders o, customers c "
                + "WHERE c.id = o.customer_id AND o.qty > 0 AND NOT EXISTS (SELECT 1 FROM items i WHERE i.order_id = o.id) "
                + "GROUP BY c.region",
        "SELECT r.name, count(DISTINCT c.id) AS customers FROM customers c JOIN regions r USING (region) "
                + "WHERE c.id IN (SELECT customer_id FROM orders WHERE status = 'paid') GROUP BY r.name",
        "SELECT tier, count(*) AS n FROM customers WHERE region NOT IN (SELECT region FROM regions WHERE name <> 'South') "
                + "GROUP BY tier",
        "SELECT DISTINCT o.status, c.tier FROM orders o JOIN customers c ON c.id = o.customer_id "
                + "WHERE (o.amount > 5 OR EXISTS (SELECT 1 FROM items i WHERE i.order_id = o.id AND i.sku = 'a'))",
        "SELECT count(*) AS n FROM orders o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id)",
    };

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void everyKindOfChangeIsAppliedDifferentially(int q) throws SQLException {
        maintainedThroughTheChanges(QUERIES[q]);
    }

    @Test
    void aChangeOfTheSubqueryTableAloneRecomputesTheGroupsItTouches() throws SQLException {
        String query = QUERIES[0];
        exec(c, "SELECT pgtrickle.create_stream_table('st', $q$" + query + "$q$, '1m', 'DIFFERENTIAL')");
        assertThat(value(c, "SELECT value FROM pgtrickle.explain_st('st') WHERE property = 'delta_rule'"))
                .isEqualTo("GROUPS_RECOMPUTED");
        for (String change : new String[] {"UPDATE items SET n = 3 WHERE order_id = 4", "DELETE FROM items WHERE order_id < 10",
            "INSERT INTO items SELECT id, 'z', 5 FROM orders WHERE id BETWEEN 10 AND 20", "TRUNCATE items"}) {
            exec(c, change, "SELECT pgtrickle.refresh_stream_table('st')");
            assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('st', 1)")).isEqualTo("DIFFERENTIAL");
            Oracle.assertStreamTableMatches(c, "st", query);
        }
    }
}
