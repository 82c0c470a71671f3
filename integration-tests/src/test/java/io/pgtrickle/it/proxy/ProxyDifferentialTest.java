package io.pgtrickle.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * DIFFERENTIAL refresh through the proxy, with plain pgjdbc: the engine runs its planning checks
 * (savepoints, PREPARE), the delta statement and its settings over the client's own upstream session,
 * inside the client's transaction when there is one. A jsonb {@code ?} in the defining query reaches
 * the server as PostgreSQL's operator, not as a parameter.
 */
class ProxyDifferentialTest extends ProxyTestBase {

    @Test
    void aJoinIsMaintainedDifferentiallyThroughTheProxy() throws SQLException {
        String query = "SELECT o.id, o.amount, c.name FROM pd_orders o JOIN pd_customers c ON c.id = o.customer "
                + "WHERE o.doc ? 'paid'";
        try (Connection c = proxy.connect()) {
            Sql.exec(c, "CREATE TABLE pd_customers (id int PRIMARY KEY, name text)",
                    "CREATE TABLE pd_orders (id int PRIMARY KEY, customer int, amount numeric, doc jsonb)",
                    "INSERT INTO pd_customers SELECT g, 'c' || g FROM generate_series(1, 5) g",
                    "INSERT INTO pd_orders SELECT g, g % 5 + 1, g * 3, CASE WHEN g % 2 = 0 THEN '{\"paid\": true}' "
                            + "ELSE '{}' END::jsonb FROM generate_series(1, 40) g");
            try (PreparedStatement ps = c.prepareStatement("SELECT pgtrickle.create_stream_table(?, ?, '1m', 'AUTO')")) {
                ps.setString(1, "pd_st");
                ps.setString(2, query);
                ps.execute();
                assertThat((Throwable) ps.getWarnings()).as("AUTO chooses DIFFERENTIAL without a warning").isNull();
            }
            assertThat(Sql.value(c, "SELECT effective FROM pgtrickle.explain_refresh_mode('pd_st')")).isEqualTo("DIFFERENTIAL");
            Sql.exec(c, "UPDATE pd_orders SET doc = '{\"paid\": 1}' WHERE id % 3 = 0", "DELETE FROM pd_customers WHERE id = 2",
                    "UPDATE pd_orders SET customer = 3 WHERE id < 8");
            Sql.exec(c, "SELECT pgtrickle.refresh_stream_table('pd_st')");
            assertThat(Sql.value(c, "SELECT action FROM pgtrickle.get_refresh_history('pd_st', 1)")).isEqualTo("DIFFERENTIAL");
            Oracle.assertStreamTableMatches(c, "pd_st", query);
            // inside the client's transaction: right at once, and not applied again after COMMIT
            c.setAutoCommit(false);
            Sql.exec(c, "INSERT INTO pd_orders VALUES (100, 1, 1, '{\"paid\": true}')", "SELECT pgtrickle.refresh_stream_table('pd_st')");
            Oracle.assertStreamTableMatches(c, "pd_st", query);
            c.commit();
            c.setAutoCommit(true);
            Sql.exec(c, "SELECT pgtrickle.refresh_stream_table('pd_st')");
            assertThat(Sql.value(c, "SELECT action FROM pgtrickle.get_refresh_history('pd_st', 1)")).isEqualTo("NO_DATA");
            Oracle.assertStreamTableMatches(c, "pd_st", query);
            Sql.exec(c, "SELECT pgtrickle.drop_stream_table('pd_st')", "DROP TABLE pd_orders, pd_customers");
        }
    }

    /**
     * A refresh through the proxy sends the client no change of search_path (PostgreSQL 18 reports
     * one, and pgjdbc drops every server-prepared statement on it): the client's statement prepared
     * before the refresh is still the one it runs after.
     */
    @Test
    void aRefreshLeavesTheClientsServerPreparedStatementsAlone() throws SQLException {
        String names = "SELECT string_agg(name, ',' ORDER BY name) FROM pg_prepared_statements "
                + "WHERE NOT from_sql AND statement LIKE 'SELECT count(*) FROM pk_src WHERE id > $1%'";
        try (Connection c = proxy.connect()) {
            Sql.exec(c, "CREATE TABLE pk_src (id int PRIMARY KEY, amount int)",
                    "INSERT INTO pk_src SELECT g, g FROM generate_series(1, 20) g",
                    "SELECT pgtrickle.create_stream_table('pk_st', 'SELECT id, amount FROM pk_src WHERE amount > 5', "
                            + "'1m', 'DIFFERENTIAL')");
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pk_src WHERE id > ?")) {
                ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(1);
                for (int i = 0; i < 2; i++) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                    }
                }
                String before = Sql.value(c, names);
                assertThat(before).as("the client's server-prepared statement").isNotNull();
                Sql.exec(c, "UPDATE pk_src SET amount = amount + 10 WHERE id < 4", "SELECT pgtrickle.refresh_stream_table('pk_st')");
                assertThat(Sql.value(c, "SELECT action FROM pgtrickle.get_refresh_history('pk_st', 1)")).isEqualTo("DIFFERENTIAL");
                ps.setInt(1, 0);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
                assertThat(Sql.value(c, names)).as("the statement prepared before the refresh").isEqualTo(before);
            }
            Oracle.assertStreamTableMatches(c, "pk_st", "SELECT id, amount FROM pk_src WHERE amount > 5");
            Sql.exec(c, "SELECT pgtrickle.drop_stream_table('pk_st')", "DROP TABLE pk_src");
        }
    }
}
