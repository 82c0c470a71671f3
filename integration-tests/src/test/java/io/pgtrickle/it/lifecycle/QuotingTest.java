package io.pgtrickle.it.lifecycle;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Sql;
import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Names and queries with quotes, semicolons and other hostile characters are handled as data, never
 * as SQL: each stream table is created under exactly the name asked for, and the canary table that
 * every injection attempt tries to drop survives.
 */
@PgTest
class QuotingTest {

    @BeforeAll
    static void setUp(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle()) {
            exec(c, "CREATE TABLE src (id int PRIMARY KEY, v text)",
                    "INSERT INTO src VALUES (1, 'it''s'), (2, 'semi;colon'), (3, NULL)",
                    "CREATE TABLE canary (x int)", "INSERT INTO canary VALUES (42)",
                    "CREATE SCHEMA \"Odd Schema\"",
                    // installs the catalog
                    "SELECT pgtrickle.create_stream_table('warmup', 'SELECT 1 AS one', '1m', 'FULL')",
                    "SELECT pgtrickle.drop_stream_table('warmup')");
        }
    }

    private static void canaryAlive(Connection c) throws SQLException {
        assertThat(rows(c, "SELECT x FROM canary")).containsExactly("42");
    }

    /** The user's name argument, as a relation name PostgreSQL would resolve; created, read, dropped. */
    @ParameterizedTest
    @ValueSource(strings = {
        "\"Odd Name\"",
        "\"we\"\"ird\"",
        "\"semi;colon\"",
        "\"x'); DROP TABLE canary; --\"",
        "\"Odd Schema\".\"Mixed Case\"",
        "\"a.b\"",
        "\"$$dollar$$\""
    })
    void hostileNamesAreJustNames(String name, TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle();
                PreparedStatement ps = c.prepareStatement("SELECT pgtrickle.create_stream_table(?, ?, '1m', 'FULL')")) {
            ps.setString(1, name);
            ps.setString(2, "SELECT id, v FROM src");
            ps.execute();
            Oracle.assertStreamTableMatches(c, name, "SELECT id, v FROM src");
            exec(c, "SELECT pgtrickle.refresh_stream_table(" + literal(name) + ")");
            try (PreparedStatement drop = c.prepareStatement("SELECT pgtrickle.drop_stream_table(?)")) {
                drop.setString(1, name);
                drop.execute();
            }
            assertThat(rows(c, "SELECT count(*) FROM pgtrickle.pgt_stream_tables")).containsExactly("0");
            canaryAlive(c);
        }
    }

    @Test
    void quotedIdentifierKeepsItsCase(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle()) {
            exec(c, "SELECT pgtrickle.create_stream_table('\"CamelCase\"', 'SELECT id FROM src', '1m', 'FULL')");
            assertThat(rows(c, "SELECT relname FROM pg_class WHERE relname ILIKE 'camelcase'")).containsExactly("CamelCase");
            exec(c, "SELECT pgtrickle.create_stream_table('CamelCase', 'SELECT id FROM src', '1m', 'FULL')");
            assertThat(rows(c, "SELECT relname FROM pg_class WHERE relname ILIKE 'camelcase' ORDER BY 1"))
                    .containsExactly("CamelCase", "camelcase");
            exec(c, "SELECT pgtrickle.drop_stream_table('\"CamelCase\"')", "SELECT pgtrickle.drop_stream_table('camelcase')");
        }
    }

    @Test
    void queriesWithQuotesSemicolonsAndDollarsKeepTheirMeaning(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle()) {
            String query = "SELECT id, v || ';' || 'it''s' AS s, $q$ $$ ; ' $q$ AS d FROM src -- trailing comment";
            exec(c, "SELECT pgtrickle.create_stream_table('tricky', $body$" + query + "$body$, '1m', 'FULL')");
            Oracle.assertStreamTableMatches(c, "tricky", "SELECT id, v || ';' || 'it''s' AS s, $q$ $$ ; ' $q$ AS d FROM src");
            assertThat(rows(c, "SELECT original_query FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'tricky'"))
                    .containsExactly(query);
            exec(c, "SELECT pgtrickle.drop_stream_table('tricky')");
            canaryAlive(c);
        }
    }

    @Test
    void injectionThroughTheQueryArgumentIsRejected(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle()) {
            Sql.fails(c, "42601", "SELECT pgtrickle.create_stream_table('inj', "
                    + "'SELECT 1 AS a) q; DROP TABLE canary; SELECT * FROM (SELECT 1', '1m', 'FULL')");
            Sql.fails(c, "42601", "SELECT pgtrickle.create_stream_table('inj', 'SELECT 1 AS a; DROP TABLE canary', '1m', 'FULL')");
            canaryAlive(c);
        }
    }

    @Test
    void callInsideAStringOrCommentIsNotIntercepted(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle()) {
            assertThat(rows(c, "SELECT 'SELECT pgtrickle.drop_stream_table(''x'')' AS s"))
                    .containsExactly("SELECT pgtrickle.drop_stream_table('x')");
            assertThat(rows(c, "/* SELECT pgtrickle.create_stream_table('x', 'SELECT 1') */ SELECT 7"))
                    .containsExactly("7");
            assertThat(rows(c, "SELECT count(*) FROM pgtrickle.pgt_stream_tables")).containsExactly("0");
        }
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
