package io.pgtrickle.it.lifecycle;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Sql;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Under AUTO the planner analyses the defining query against the live catalog (through the engine:
 * columns, types and keys read from PostgreSQL, casts parenthesised by the lexer) and the stream table
 * either maintains it differentially, or records why it is refreshed FULL: the construct that prevents
 * differential maintenance. The WARNING says the same; explain_refresh_mode shows it.
 */
@PgTest
class RefreshModeChoiceTest {
    private Connection c;

    @BeforeEach
    void setUp(TestDatabase db) throws SQLException {
        c = db.connectPgtrickle();
        exec(c, "DROP TABLE IF EXISTS orders, regions CASCADE",
                "CREATE TABLE regions (region text PRIMARY KEY, name text)",
                "CREATE TABLE orders (id bigint PRIMARY KEY, region text, amount numeric(12,2), \"Note\" text)",
                "INSERT INTO regions VALUES ('n', 'North')", "INSERT INTO orders VALUES (1, 'n', 10.5, 'x')");
    }

    @AfterEach
    void tearDown() throws SQLException {
        for (String name : Sql.rows(c, "SELECT format('%I.%I', pgt_schema, pgt_name) FROM pgtrickle.pgt_stream_tables")) {
            exec(c, "SELECT pgtrickle.drop_stream_table('" + name.replace("'", "''") + "')");
        }
        c.close();
    }

    /** Creates under AUTO; returns the WARNING's message (checked to be there). */
    private String createAuto(String name, String query) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pgtrickle.create_stream_table('" + name + "', $q$" + query + "$q$, '1m', 'AUTO')");
            SQLWarning w = s.getWarnings();
            assertThat((Throwable) w).as("AUTO warns that it refreshes FULL").isNotNull();
            return w.getMessage();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "scan | SELECT * FROM orders",
        "filter | SELECT id, amount FROM orders WHERE amount > 5 AND region IS NOT NULL",
        "exprs | SELECT id, coalesce(region, '?') AS r, amount * 2 AS twice, \"Note\" FROM orders",
        "casts | SELECT id, amount::integer AS whole, (amount * 2)::text AS t FROM orders WHERE amount::int > 1",
    })
    void singleTableQueriesAreMaintainedDifferentially(String name, String query) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pgtrickle.create_stream_table('" + name + "', $q$" + query + "$q$, '1m', 'AUTO')");
            assertThat((Throwable) s.getWarnings()).as("no warning when AUTO chooses DIFFERENTIAL").isNull();
        }
        assertThat(value(c, "SELECT configured || ' | ' || effective || ' | ' || reason "
                + "FROM pgtrickle.explain_refresh_mode('" + name + "')"))
                .isEqualTo("AUTO | DIFFERENTIAL | the query is maintained differentially");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "agg | SELECT r.name, count(o.id) AS n FROM regions r FULL JOIN orders o USING (region) GROUP BY r.name | FULL outer joins",
        "joined | SELECT o.id, r.name FROM orders o FULL JOIN regions r USING (region) | FULL outer joins",
        "semi | SELECT id FROM orders o WHERE amount > (SELECT avg(amount) FROM orders) | a scalar subquery",
        "dist | SELECT DISTINCT count(*) AS n FROM orders GROUP BY region | DISTINCT over grouped rows",
        "uni | SELECT region FROM orders INTERSECT SELECT region FROM regions | INTERSECT",
        "unimix | SELECT region FROM orders UNION SELECT region FROM regions UNION ALL SELECT name FROM regions | UNION (without ALL) beside UNION ALL",
        "lat | SELECT o.id, x.n FROM orders o, LATERAL (SELECT o.amount * 2 AS n) x | LATERAL",
    })
    void otherQueriesNameTheConstruct(String name, String query, String construct) throws SQLException {
        String warning = createAuto(name, query);
        assertThat(warning).contains("cannot be maintained differentially").contains(construct);
        assertThat(value(c, "SELECT reason FROM pgtrickle.explain_refresh_mode('" + name + "')"))
                .startsWith("the query cannot be maintained differentially: ").contains(construct);
    }

    @Test
    void alteringToAutoOrChangingTheQueryRecomputesTheReason() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('al', 'SELECT id FROM orders', '1m', 'FULL')");
        assertThat(value(c, "SELECT reason FROM pgtrickle.explain_refresh_mode('al')")).isEqualTo("FULL was requested");
        exec(c, "SELECT pgtrickle.alter_stream_table('al', refresh_mode => 'AUTO')");
        assertThat(value(c, "SELECT reason FROM pgtrickle.explain_refresh_mode('al')"))
                .isEqualTo("the query is maintained differentially");
        exec(c, "SELECT pgtrickle.alter_stream_table('al', refresh_mode => 'AUTO', "
                + "query => 'SELECT DISTINCT count(*) AS n FROM orders GROUP BY region')");
        assertThat(value(c, "SELECT reason FROM pgtrickle.explain_refresh_mode('al')")).contains("DISTINCT");
        // a new query alone, under the configured AUTO, gets its own reason
        exec(c, "SELECT pgtrickle.alter_stream_table('al', query => 'SELECT id, amount FROM orders WHERE amount > 1')");
        assertThat(value(c, "SELECT effective || ': ' || reason FROM pgtrickle.explain_refresh_mode('al')"))
                .isEqualTo("DIFFERENTIAL: the query is maintained differentially");
        // a schedule change alone analyses nothing and keeps the reason
        exec(c, "SELECT pgtrickle.alter_stream_table('al', schedule => '5m')");
        assertThat(value(c, "SELECT reason FROM pgtrickle.explain_refresh_mode('al')"))
                .isEqualTo("the query is maintained differentially");
    }
}
