package io.pgtrickle.it.differential;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.Sql;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Views as sources: the planner reads each view as its definition (as PostgreSQL prints it), a subquery in
 * FROM, so a query over views is maintained like one over subqueries: views of one table (LIKE, casts), of a
 * join (USING), of a view, of a table without a key, in another schema with a quoted name, under {@code *},
 * joined and aggregated; every kind of change on every table ({@link OrdersFixture}).
 */
class DifferentialViewTest extends OrdersTestBase {
    @BeforeEach
    void createViews() throws SQLException {
        exec(c, "DROP SCHEMA IF EXISTS rpt CASCADE", "CREATE SCHEMA rpt",
                "CREATE VIEW paid_orders AS SELECT id, customer_id, amount * qty AS total, status FROM orders "
                        + "WHERE status LIKE 'p%' AND amount > 2::numeric",
                "CREATE VIEW customer_regions AS SELECT c.id, c.tier, r.name FROM customers c JOIN regions r USING (region)",
                "CREATE VIEW big_paid AS SELECT p.id, p.customer_id FROM paid_orders p WHERE p.total > 10",
                "CREATE VIEW order_items AS SELECT order_id, sku FROM items WHERE n > 0",
                "CREATE VIEW region_counts AS SELECT region, count(*) AS n FROM customers GROUP BY region",
                "CREATE VIEW rpt.\"Open\" AS SELECT id, amount FROM orders WHERE status = 'open'");
    }

    @AfterEach
    void dropViews() throws SQLException {
        exec(c, "DROP SCHEMA rpt CASCADE", "DROP VIEW IF EXISTS big_paid, paid_orders, customer_regions, order_items, region_counts");
    }

    static final String[] QUERIES = {
        "SELECT * FROM paid_orders",
        "SELECT p.id, p.total, cr.name FROM paid_orders p JOIN customer_regions cr ON cr.id = p.customer_id",
        "SELECT b.id, c.region FROM big_paid b JOIN customers c ON c.id = b.customer_id",
        "SELECT cr.name, count(*) AS n, sum(p.total) AS total FROM paid_orders p JOIN customer_regions cr "
                + "ON cr.id = p.customer_id GROUP BY cr.name",
        "SELECT * FROM rpt.\"Open\" o WHERE o.amount > 5",
        "SELECT oi.sku, count(*) AS n FROM order_items oi GROUP BY oi.sku",
        "SELECT * FROM customer_regions",
    };

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6})
    void everyKindOfChangeIsAppliedDifferentially(int q) throws SQLException {
        maintainedThroughTheChanges(QUERIES[q]);
    }

    @Test
    void autoMaintainsAViewDifferentially() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pgtrickle.create_stream_table('st', 'SELECT * FROM paid_orders')");
            SQLWarning w = s.getWarnings();
            assertThat(w == null ? null : w.getMessage()).as("no warning").isNull();
        }
        assertThat(value(c, "SELECT effective FROM pgtrickle.explain_refresh_mode('st')")).isEqualTo("DIFFERENTIAL");
        assertThat(value(c, "SELECT value FROM pgtrickle.explain_st('st') WHERE property = 'delta_rule'"))
                .isEqualTo("IMAGES_COUNTED");
    }

    @Test
    void aReplacedViewIsPlannedAgainByTheNextRefresh() throws SQLException {
        String query = QUERIES[1];
        exec(c, "DROP TABLE IF EXISTS zones", "CREATE TABLE zones (region text PRIMARY KEY, name text)",
                "INSERT INTO zones VALUES ('n', 'Zone N')");
        exec(c, "SELECT pgtrickle.create_stream_table('st', $q$" + query + "$q$, '1m', 'DIFFERENTIAL')");
        // a new predicate, same columns: the inlined definition in the delta statement is stale now
        exec(c, "CREATE OR REPLACE VIEW paid_orders AS SELECT id, customer_id, amount * qty AS total, status FROM orders "
                + "WHERE status IN ('open', 'paid')", "UPDATE orders SET qty = qty + 1 WHERE id % 3 = 0");
        exec(c, "SELECT pgtrickle.refresh_stream_table('st')");
        assertThat(value(c, "SELECT action || ' ' || initiated_by || ': ' || reason FROM pgtrickle.pgt_refresh_history "
                + "ORDER BY refresh_id DESC LIMIT 1")).startsWith("REINITIALIZE MANUAL: a view the defining query reads was replaced");
        Oracle.assertStreamTableMatches(c, "st", query);
        exec(c, "UPDATE orders SET status = 'open' WHERE status = 'void' AND id % 2 = 0");
        exec(c, "SELECT pgtrickle.refresh_stream_table('st')");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('st', 1)")).isEqualTo("DIFFERENTIAL");
        Oracle.assertStreamTableMatches(c, "st", query);

        // a view of a view now reading a new table: capture follows it
        exec(c, "CREATE OR REPLACE VIEW customer_regions AS SELECT c.id, c.tier, z.name FROM customers c JOIN zones z USING (region)");
        exec(c, "SELECT pgtrickle.refresh_stream_table('st')");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('st', 1)")).isEqualTo("REINITIALIZE");
        assertThat(value(c, "SELECT value FROM pgtrickle.explain_st('st') WHERE property = 'sources'")).contains("public.zones");
        exec(c, "INSERT INTO zones VALUES ('s', 'Zone S'), ('e', 'Zone E')", "UPDATE zones SET name = 'North' WHERE region = 'n'");
        exec(c, "SELECT pgtrickle.refresh_stream_table('st')");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('st', 1)")).isEqualTo("DIFFERENTIAL");
        Oracle.assertStreamTableMatches(c, "st", query);

        // the view dropped: the refresh says so, and the stream table keeps its rows
        String before = value(c, "SELECT count(*) FROM st");
        exec(c, "DROP VIEW paid_orders CASCADE");
        SQLException e = Sql.fails(c, "42P01", "SELECT pgtrickle.refresh_stream_table('st')");
        assertThat(e.getMessage()).contains("paid_orders");
        assertThat(value(c, "SELECT count(*) FROM st")).isEqualTo(before);
        exec(c, "SELECT pgtrickle.drop_stream_table('st')", "DROP TABLE zones CASCADE");
    }

    @Test
    void aViewThatGroupsIsRefusedWithTheConstructNamed() throws SQLException {
        SQLException e = Sql.fails(c, "0A000",
                "SELECT pgtrickle.create_stream_table('st', 'SELECT * FROM region_counts', '1m', 'DIFFERENTIAL')");
        assertThat(e.getMessage()).contains("aggregates in a subquery in FROM").contains("a view is read as a subquery in FROM");
        assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_stream_tables")).isEqualTo("0");
    }
}
