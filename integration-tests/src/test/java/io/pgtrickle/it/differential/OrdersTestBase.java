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

/**
 * Base of the tests over {@link OrdersFixture}: the tables made fresh for each test, every stream table
 * dropped after it, and the check that a query stays equal to its stream table through every window.
 */
@PgTest
abstract class OrdersTestBase {
    protected Connection c;

    @BeforeEach
    void createOrders(TestDatabase db) throws SQLException {
        c = db.connectPgtrickle();
        OrdersFixture.create(c);
    }

    @AfterEach
    void dropStreamTables() throws SQLException {
        for (String name : rows(c, "SELECT format('%I.%I', pgt_schema, pgt_name) FROM pgtrickle.pgt_stream_tables")) {
            exec(c, "SELECT pgtrickle.drop_stream_table('" + name.replace("'", "''") + "')");
        }
        c.close();
    }

    /**
     * Creates stream table {@code st} DIFFERENTIAL over {@code query}; after every window of {@link
     * OrdersFixture#CHANGES} it is refreshed differentially and equals its query.
     */
    protected void maintainedThroughTheChanges(String query) throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('st', $q$" + query + "$q$, '1m', 'DIFFERENTIAL')");
        Oracle.assertStreamTableMatches(c, "st", query);
        for (String[] window : OrdersFixture.CHANGES) {
            exec(c, window);
            exec(c, "SELECT pgtrickle.refresh_stream_table('st')");
            assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('st', 1)")).isIn("DIFFERENTIAL", "NO_DATA");
            Oracle.assertStreamTableMatches(c, "st", query);
        }
    }
}
