package io.pgtrickle.it.differential;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.fails;
import static io.pgtrickle.it.harness.Sql.rows;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential refresh of scans, filters and projections over tables with a primary key: after every
 * refresh the stream table equals its defining query run fresh (the oracle), and the refresh was
 * DIFFERENTIAL (never a silent FULL).
 */
@PgTest
class DifferentialScanTest {
    private Connection c;

    @BeforeEach
    void setUp(TestDatabase db) throws SQLException {
        c = db.connectPgtrickle();
        exec(c, "DROP TABLE IF EXISTS src, lines, keyless CASCADE",
                "CREATE TABLE src (id int PRIMARY KEY, region text, category text, amount numeric(12,2), "
                        + "score double precision, created timestamptz, payload jsonb)",
                "INSERT INTO src SELECT g, (ARRAY['n','s','e','w',NULL])[g % 5 + 1], (ARRAY['a','b','c','d'])[g % 4 + 1], "
                        + "g * 37 % 10000, g / 7.0, timestamptz '2026-01-01 00:00+00' + g * interval '5 hours', "
                        + "jsonb_build_object('k', g % 3, 'tag', 't' || g) FROM generate_series(1, 200) g",
                "CREATE TABLE lines (order_id bigint, line_no smallint, qty int, PRIMARY KEY (order_id, line_no))",
                "INSERT INTO lines SELECT g / 3, g % 3, g FROM generate_series(1, 60) g",
                "CREATE TABLE keyless (kind text, n int)", "INSERT INTO keyless VALUES ('a', 1), ('a', 1)");
    }

    @AfterEach
    void tearDown() throws SQLException {
        for (String name : rows(c, "SELECT format('%I.%I', pgt_schema, pgt_name) FROM pgtrickle.pgt_stream_tables")) {
            exec(c, "SELECT pgtrickle.drop_stream_table('" + name.replace("'", "''") + "')");
        }
        c.close();
    }

    private void create(String name, String query, String mode) throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('" + name + "', $q$" + query + "$q$, '1m', '" + mode + "')");
    }

    /** Refreshes, checks the oracle, and that the refresh was the expected action. */
    private void refreshAndCheck(String name, String query, String expectedAction) throws SQLException {
        exec(c, "SELECT pgtrickle.refresh_stream_table('" + name + "')");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('" + name + "', 1)"))
                .as("action of the last refresh of " + name).isEqualTo(expectedAction);
        Oracle.assertStreamTableMatches(c, name, query);
    }

    private void refreshAndCheck(String name, String query) throws SQLException {
        refreshAndCheck(name, query, "DIFFERENTIAL");
    }

    static final String[] QUERIES = {
        "SELECT * FROM src",
        "SELECT id, amount FROM src WHERE amount > 5000",
        "SELECT s.id, s.region FROM src AS s WHERE s.region IS NOT NULL AND (s.amount > 100 OR s.score < 3)",
        "SELECT CASE WHEN amount > 5000 THEN 'big' ELSE 'small' END AS size, COALESCE(region, 'none') AS region, "
                + "(amount + 1) * 2 AS doubled, upper(category) || '-' || region AS label, CAST(score AS integer) AS si, "
                + "date_trunc('day', created) AS day, length(region) AS len FROM src WHERE category <> 'd'",
        "SELECT region, category FROM src",
        "SELECT id, payload ->> 'tag' AS tag, (payload -> 'k')::int AS k FROM src WHERE payload ? 'k' AND (payload ->> 'k')::int < 2",
    };

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void everyKindOfChangeIsAppliedDifferentially(int q) throws SQLException {
        String query = QUERIES[q];
        create("st", query, "DIFFERENTIAL"); // not AUTO: it may recompute when most rows change
        assertThat(rows(c, "SELECT effective, reason FROM pgtrickle.explain_refresh_mode('st')"))
                .containsExactly("DIFFERENTIAL | the query is maintained differentially");
        Oracle.assertStreamTableMatches(c, "st", query);
        exec(c, "INSERT INTO src VALUES (1001, 'n', 'a', 9000, 1.5, now(), '{}'), (1002, NULL, NULL, NULL, NULL, NULL, NULL)");
        refreshAndCheck("st", query);
        exec(c, "UPDATE src SET amount = amount + 4000 WHERE id % 10 = 0"); // rows cross the filter both ways
        refreshAndCheck("st", query);
        exec(c, "UPDATE src SET region = NULL WHERE id % 7 = 0", "UPDATE src SET region = 'x' WHERE id % 11 = 0");
        refreshAndCheck("st", query);
        exec(c, "UPDATE src SET id = id + 5000 WHERE id % 13 = 0"); // key changes
        refreshAndCheck("st", query);
        exec(c, "DELETE FROM src WHERE id % 3 = 0");
        refreshAndCheck("st", query);
        exec(c, "INSERT INTO src SELECT g, 'n', 'b', 7000, 2, now(), NULL FROM generate_series(3, 30, 3) g"); // re-inserts
        refreshAndCheck("st", query);
        // several changes to one key in one window, and an insert then delete
        exec(c, "UPDATE src SET amount = 1 WHERE id = 1", "UPDATE src SET amount = 6000 WHERE id = 1",
                "UPDATE src SET region = 'q' WHERE id = 1", "INSERT INTO src VALUES (3001, 'n')", "DELETE FROM src WHERE id = 3001");
        refreshAndCheck("st", query);
        exec(c, "UPDATE src SET amount = amount"); // nothing changes in the result
        refreshAndCheck("st", query);
        exec(c, "TRUNCATE src", "INSERT INTO src VALUES (1, 'n', 'a', 6000, 1, now(), NULL)");
        refreshAndCheck("st", query);
        exec(c, "DELETE FROM src");
        refreshAndCheck("st", query);
    }

    @Test
    void aKeyThatIsNotSelectedIsKeptInAHiddenColumn() throws SQLException {
        String query = "SELECT region, amount FROM src WHERE amount > 100";
        create("hidden", query, "DIFFERENTIAL");
        assertThat(rows(c, "SELECT attname FROM pg_attribute WHERE attrelid = 'hidden'::regclass AND attnum > 0 "
                + "AND NOT attisdropped ORDER BY attnum")).containsExactly("region", "amount", "__pgt_key_1");
        exec(c, "UPDATE src SET region = 'z', amount = 101 WHERE id < 50", "DELETE FROM src WHERE id > 150");
        refreshAndCheck("hidden", query);
    }

    @Test
    void aCompositeKeyPartlySelected() throws SQLException {
        String query = "SELECT order_id, qty * 2 AS twice FROM lines WHERE qty <> 7";
        create("comp", query, "DIFFERENTIAL");
        exec(c, "UPDATE lines SET qty = 7 WHERE order_id = 2", "UPDATE lines SET line_no = line_no + 10 WHERE order_id = 3",
                "DELETE FROM lines WHERE order_id = 4", "INSERT INTO lines VALUES (100, 1, 1), (100, 2, 1)");
        refreshAndCheck("comp", query);
        exec(c, "UPDATE lines SET order_id = 500 WHERE order_id = 100"); // the key moves
        refreshAndCheck("comp", query);
    }

    @Test
    void jsonOutputHasNoEqualityAndIsStillMaintained() throws SQLException {
        String query = "SELECT id, payload, payload::json AS j FROM src WHERE id < 50";
        create("js", query, "DIFFERENTIAL");
        exec(c, "UPDATE src SET payload = '{\"k\": 9}' WHERE id < 10", "DELETE FROM src WHERE id = 20");
        exec(c, "SELECT pgtrickle.refresh_stream_table('js')");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('js', 1)")).isEqualTo("DIFFERENTIAL");
        // json has no equality operator, so the oracle compares the jsonb and text forms
        Oracle.assertStreamTableMatches(c, "(SELECT id, payload, j::text FROM js) AS t",
                "SELECT id, payload, (payload::json)::text FROM src WHERE id < 50");
    }

    @Test
    void autoRecomputesWhenMostRowsChanged() throws SQLException {
        String query = "SELECT id, amount FROM src WHERE amount > 100";
        create("au", query, "AUTO");
        exec(c, "ANALYZE src");
        exec(c, "UPDATE src SET amount = amount + 1 WHERE id <= 10"); // 20 change rows of 200: 10%
        refreshAndCheck("au", query, "DIFFERENTIAL");
        exec(c, "UPDATE src SET amount = amount + 1 WHERE id <= 45"); // 90 of 200: 45%
        refreshAndCheck("au", query, "DIFFERENTIAL");
        exec(c, "UPDATE src SET amount = amount + 1 WHERE id <= 60"); // 120 of 200: 60%
        refreshAndCheck("au", query, "FULL");
        assertThat(value(c, "SELECT reason FROM pgtrickle.get_refresh_history('au', 1)"))
                .isEqualTo("more than 100 changed rows against about 200 source rows "
                        + "(pgtrickle.differential_max_change_ratio = 0.5): recomputed");
        exec(c, "SET pgtrickle.differential_max_change_ratio = 1e9", "UPDATE src SET amount = amount + 1");
        refreshAndCheck("au", query, "DIFFERENTIAL");
        exec(c, "SET pgtrickle.differential_max_change_ratio = 'lots'", "UPDATE src SET amount = amount + 1");
        fails(c, "22023", "SELECT pgtrickle.refresh_stream_table('au')");
        exec(c, "RESET pgtrickle.differential_max_change_ratio");
        // a table created DIFFERENTIAL never recomputes by itself
        create("di", query, "DIFFERENTIAL");
        exec(c, "UPDATE src SET amount = amount + 1");
        refreshAndCheck("di", query, "DIFFERENTIAL");
    }

    /**
     * A recompute of a populated table with a row identity, here one marked to recompute (as a widened
     * buffer in REPEATABLE READ marks it), writes only what differs (Recompute): inserted, updated (keys
     * moved, NULLs set) and deleted rows, counted as such, and the oracle holds; over a json column, which
     * cannot be compared, every row is replaced as before.
     */
    @Test
    void aRecomputeMergesByIdentityAndWritesOnlyWhatChanged() throws SQLException {
        String keyed = "SELECT id, amount, region FROM src WHERE amount > 100";
        create("mg", keyed, "DIFFERENTIAL");
        create("mj", "SELECT id, payload::json AS j FROM src WHERE id < 150", "DIFFERENTIAL");
        exec(c, "UPDATE src SET amount = amount + 1 WHERE id <= 5", "UPDATE src SET region = NULL WHERE id BETWEEN 6 AND 8",
                "UPDATE src SET id = id + 1000 WHERE id IN (9, 10)", "DELETE FROM src WHERE id BETWEEN 11 AND 13",
                "UPDATE src SET amount = 50 WHERE id = 14", "INSERT INTO src (id, region, amount) VALUES (500, NULL, 900), (501, 'n', 5)",
                "UPDATE src SET payload = '{\"k\": 9}' WHERE id < 4",
                "UPDATE pgtrickle.pgt_stream_tables SET needs_reinit = true WHERE pgt_name IN ('mg', 'mj')");
        refreshAndCheck("mg", keyed, "FULL");
        // 3 + 3 updated in place (ids 1 and 2 are not in it), 2 moved (deleted and inserted), 3 + 1 gone, 1 new
        // that passes the filter; an update counts as a delete and an insert, as capture records it
        assertThat(rows(c, "SELECT rows_inserted, rows_deleted FROM pgtrickle.get_refresh_history('mg', 1)"))
                .containsExactly("9 | 12");
        exec(c, "SELECT pgtrickle.refresh_stream_table('mj')");
        assertThat(rows(c, "SELECT action, rows_deleted FROM pgtrickle.get_refresh_history('mj', 1)"))
                .containsExactly("FULL | 149");
        Oracle.assertStreamTableMatches(c, "(SELECT id, j::text FROM mj) AS t",
                "SELECT id, (payload::json)::text FROM src WHERE id < 150");
        exec(c, "UPDATE src SET amount = amount + 1 WHERE id = 1");
        refreshAndCheck("mg", keyed, "DIFFERENTIAL");
    }

    @Test
    void fixedLengthCharacterAndBitColumnsAreCapturedAndMultiLineLiteralsKept() throws SQLException {
        exec(c, "CREATE TABLE fixed (id int PRIMARY KEY, code char(5), flags bit(4), codes char(3)[])");
        String query = "SELECT id, code, flags, codes, 'a\nb' AS two_lines FROM fixed";
        create("fx", query, "DIFFERENTIAL");
        exec(c, "INSERT INTO fixed VALUES (1, 'abcde', B'1010', '{abc,de}'), (2, 'x', B'0001', NULL)",
                "UPDATE fixed SET code = 'zzzzz' WHERE id = 2");
        refreshAndCheck("fx", query);
        exec(c, "DROP TABLE fixed CASCADE");
    }

    @Test
    void aGroupByNameIsTheInputColumnBeforeAnOutputAlias() throws SQLException {
        String query = "SELECT id / 10 AS id, id AS x, count(*) AS n FROM src GROUP BY id";
        create("gb", query, "DIFFERENTIAL");
        exec(c, "INSERT INTO src (id) VALUES (1025)", "DELETE FROM src WHERE id = 20");
        refreshAndCheck("gb", query);
    }

    @Test
    void rowsAreComputedUnderTheSettingsOfCreation() throws SQLException {
        exec(c, "SET TimeZone = 'UTC'");
        String query = "SELECT id, created::date AS d, to_char(created, 'HH24') AS h, created::text AS t FROM src";
        create("tz", query, "DIFFERENTIAL");
        exec(c, "SET TimeZone = 'Asia/Tokyo'", "UPDATE src SET amount = 1 WHERE id % 2 = 0");
        refreshAndCheck("tz", "SELECT id, (created AT TIME ZONE 'UTC')::date AS d, "
                + "to_char(created AT TIME ZONE 'UTC', 'HH24') AS h, to_char(created AT TIME ZONE 'UTC', "
                + "'YYYY-MM-DD HH24:MI:SS') || '+00' AS t FROM src");
    }

    @Test
    void noChangesIsNoData() throws SQLException {
        create("nd", "SELECT id FROM src", "DIFFERENTIAL");
        exec(c, "SELECT pgtrickle.refresh_stream_table('nd')");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('nd', 1)")).isEqualTo("NO_DATA");
    }

    @Test
    void historyCountsTheRowsChanged() throws SQLException {
        create("counts", "SELECT id, amount FROM src WHERE amount > 5000", "DIFFERENTIAL");
        exec(c, "INSERT INTO src (id, amount) VALUES (5001, 6000), (5002, 7000)", "DELETE FROM src WHERE id = 5001",
                "UPDATE src SET amount = 9999 WHERE id = 200");
        exec(c, "SELECT pgtrickle.refresh_stream_table('counts')");
        int beforeAmount = 200 * 37 % 10000;
        String expected = "DIFFERENTIAL | " + (beforeAmount > 5000 ? "2 | 1" : "2 | 0");
        assertThat(value(c, "SELECT action || ' | ' || rows_inserted || ' | ' || rows_deleted "
                + "FROM pgtrickle.get_refresh_history('counts', 1)")).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT kind, n FROM keyless", "SELECT k.kind FROM keyless k WHERE k.n > 0",
        "SELECT n * 2 AS twice, coalesce(kind, '?') AS kind FROM keyless WHERE kind IS DISTINCT FROM 'z'"})
    void keylessSourcesWithDuplicates(String query) throws SQLException {
        create("kl", query, "AUTO");
        assertThat(value(c, "SELECT effective FROM pgtrickle.explain_refresh_mode('kl')")).isEqualTo("DIFFERENTIAL");
        exec(c, "INSERT INTO keyless VALUES ('a', 1), ('b', 2), ('b', 2), (NULL, NULL), (NULL, NULL), ('a', -1)");
        refreshAndCheck("kl", query);
        exec(c, "DELETE FROM keyless WHERE ctid = (SELECT ctid FROM keyless WHERE kind = 'a' AND n = 1 LIMIT 1)");
        refreshAndCheck("kl", query); // one copy of ('a', 1) goes, the other stays
        exec(c, "UPDATE keyless SET n = 2 WHERE kind = 'a'", "UPDATE keyless SET kind = 'b' WHERE kind IS NULL");
        refreshAndCheck("kl", query); // copies appear and merge
        exec(c, "INSERT INTO keyless VALUES ('c', 3)", "DELETE FROM keyless WHERE kind = 'c'", // nets to nothing
                "INSERT INTO keyless SELECT 'd', g % 3 FROM generate_series(1, 30) g");
        refreshAndCheck("kl", query);
        exec(c, "TRUNCATE keyless", "INSERT INTO keyless VALUES ('e', 5), ('e', 5)");
        refreshAndCheck("kl", query);
        exec(c, "DELETE FROM keyless");
        refreshAndCheck("kl", query);
    }

    @Test
    void aKeylessStreamTableThatDriftedIsRecomputed() throws SQLException {
        String query = "SELECT kind, n FROM keyless";
        create("drift", query, "DIFFERENTIAL");
        exec(c, "BEGIN", "SET LOCAL pgtrickle.maintenance = on", "DELETE FROM drift", "COMMIT"); // tampered with
        exec(c, "DELETE FROM keyless WHERE ctid = (SELECT ctid FROM keyless LIMIT 1)");
        refreshAndCheck("drift", query, "FULL");
        assertThat(value(c, "SELECT reason FROM pgtrickle.get_refresh_history('drift', 1)"))
                .isEqualTo("1 rows to delete were not in the stream table: recomputed");
        exec(c, "INSERT INTO keyless VALUES ('x', 9)");
        refreshAndCheck("drift", query);
    }

    @Test
    void keylessWithAColumnThatCannotBeHashedIsRefused() throws SQLException {
        exec(c, "ALTER TABLE keyless ADD COLUMN doc json");
        SQLException e = fails(c, "0A000",
                "SELECT pgtrickle.create_stream_table('kj', 'SELECT kind, doc FROM keyless', '1m', 'DIFFERENTIAL')");
        assertThat(e.getMessage()).contains("without a primary key").contains("no equality or hashing");
        assertThat(rows(c, "SELECT 1 FROM pg_class WHERE relname = 'kj'")).isEmpty();
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pgtrickle.create_stream_table('kj', 'SELECT kind, doc FROM keyless', '1m', 'AUTO')");
            assertThat(s.getWarnings().getMessage()).contains("will be refreshed FULL").contains("without a primary key");
        }
        assertThat(value(c, "SELECT effective FROM pgtrickle.explain_refresh_mode('kj')")).isEqualTo("FULL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT id, random() AS r FROM src", "SELECT id FROM src WHERE created > now() - interval '1 day'",
        "SELECT id, CURRENT_DATE AS d FROM src", "SELECT id, clock_timestamp() AS t FROM src",
        "SELECT id FROM src WHERE created > 'now'::timestamptz - interval '1 day'",
        "SELECT id FROM src WHERE created::date = date 'today'"})
    void volatileQueriesAreRefusedForDifferential(String query) throws SQLException {
        SQLException e = fails(c, "0A000",
                "SELECT pgtrickle.create_stream_table('vol', $q$" + query + "$q$, '1m', 'DIFFERENTIAL')");
        assertThat(e.getMessage()).contains("changes without any change to the sources");
        create("vol", query, "AUTO");
        assertThat(value(c, "SELECT effective || ': ' || reason FROM pgtrickle.explain_refresh_mode('vol')"))
                .startsWith("FULL: the query cannot be maintained differentially: it uses ");
    }

    @Test
    void switchingModesRebuildsTheStorage() throws SQLException {
        String query = "SELECT region, amount FROM src WHERE amount > 100";
        create("sw", query, "FULL");
        assertThat(rows(c, "SELECT attname FROM pg_attribute WHERE attrelid = 'sw'::regclass AND attname LIKE '\\_\\_pgt%'"))
                .isEmpty();
        exec(c, "SELECT pgtrickle.alter_stream_table('sw', refresh_mode => 'DIFFERENTIAL')");
        exec(c, "UPDATE src SET amount = 50 WHERE id < 20");
        refreshAndCheck("sw", query);
        exec(c, "SELECT pgtrickle.alter_stream_table('sw', refresh_mode => 'FULL')");
        assertThat(rows(c, "SELECT attname FROM pg_attribute WHERE attrelid = 'sw'::regclass AND attname LIKE '\\_\\_pgt%' "
                + "AND NOT attisdropped")).isEmpty();
        exec(c, "UPDATE src SET amount = 5000 WHERE id < 20");
        refreshAndCheck("sw", query, "FULL");
        exec(c, "SELECT pgtrickle.alter_stream_table('sw', query => 'SELECT id, amount FROM src WHERE amount > 200', "
                + "refresh_mode => 'AUTO')");
        exec(c, "DELETE FROM src WHERE id < 40");
        refreshAndCheck("sw", "SELECT id, amount FROM src WHERE amount > 200");
    }

    @Test
    void theSearchPathOfCreationIsUsedByEveryRefresh() throws SQLException {
        exec(c, "CREATE SCHEMA IF NOT EXISTS app", "CREATE OR REPLACE FUNCTION app.twice(numeric) RETURNS numeric "
                + "LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2'", "SET search_path = app, public");
        String query = "SELECT id, twice(amount) AS t FROM src";
        create("public.sp", query, "AUTO");
        assertThat(value(c, "SELECT effective FROM pgtrickle.explain_refresh_mode('public.sp')")).isEqualTo("DIFFERENTIAL");
        exec(c, "SET search_path = public", "UPDATE src SET amount = 3 WHERE id = 5");
        refreshAndCheck("sp", "SELECT id, app.twice(amount) AS t FROM src");
        // the second refresh runs the statement the first prepared: still under the search_path of creation
        exec(c, "CREATE OR REPLACE FUNCTION public.twice(numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 3'",
                "UPDATE src SET amount = 4 WHERE id = 6");
        refreshAndCheck("sp", "SELECT id, app.twice(amount) AS t FROM src");
        exec(c, "DROP FUNCTION public.twice(numeric)", "SET search_path = \"$user\", public");
    }

    /**
     * A refresh whose stream table was planned under the schemas the session's search_path resolves to
     * leaves the session's search_path as it is: PostgreSQL 18 reports every change of it to the client,
     * and pgjdbc then drops all the connection's server-prepared statements, the application's included.
     */
    @Test
    void aRefreshKeepsTheApplicationsServerPreparedStatements() throws SQLException {
        String query = "SELECT id, amount FROM src WHERE amount > 5000";
        create("keep", query, "DIFFERENTIAL");
        String names = "SELECT string_agg(name, ',' ORDER BY name) FROM pg_prepared_statements "
                + "WHERE NOT from_sql AND statement LIKE 'SELECT count(*) FROM src WHERE id > $1%'";
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM src WHERE id > ?")) {
            ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(1);
            count(ps);
            count(ps);
            String before = value(c, names);
            assertThat(before).as("the application's server-prepared statement").isNotNull();
            for (int i = 0; i < 2; i++) { // a small window and one of the first refresh in a session
                exec(c, "UPDATE src SET amount = amount + 5000 WHERE id < " + (3 + i));
                refreshAndCheck("keep", query);
                count(ps);
                assertThat(value(c, names)).as("the statement pgjdbc prepared before the refresh").isEqualTo(before);
            }
        }
    }

    private static void count(PreparedStatement ps) throws SQLException {
        ps.setInt(1, 0);
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
        }
    }

    /**
     * A small window's delta runs as the session's prepared statement (decision aa): prepared by the
     * first refresh, reused by the next, prepared again after the session dropped it, and never reused
     * once the stream table was planned again; a large window plans it afresh.
     */
    @Test
    void theDeltaIsPreparedOncePerSessionAndAgainWhenGoneOrReplanned() throws SQLException {
        String query = "SELECT id, amount FROM src WHERE amount > 5000";
        create("pd", query, "DIFFERENTIAL");
        String prepared = "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'pgtrickle\\_delta\\_%'";
        exec(c, "UPDATE src SET amount = 6000 WHERE id < 5");
        refreshAndCheck("pd", query);
        assertThat(value(c, prepared)).isEqualTo("1");
        exec(c, "DELETE FROM src WHERE id = 7");
        refreshAndCheck("pd", query);
        assertThat(value(c, prepared)).isEqualTo("1");
        exec(c, "DEALLOCATE ALL", "UPDATE src SET amount = 1 WHERE id < 3");
        refreshAndCheck("pd", query);
        assertThat(value(c, prepared)).isEqualTo("1");
        String other = "SELECT id, amount FROM src WHERE amount > 2000";
        exec(c, "SELECT pgtrickle.alter_stream_table('pd', query => $q$" + other + "$q$)",
                "UPDATE src SET amount = 2500 WHERE id BETWEEN 10 AND 20");
        refreshAndCheck("pd", other);
        assertThat(value(c, prepared)).as("the statement of the first plan is deallocated").isEqualTo("1");
        // a large window is planned afresh, without nested loops: no statement of its own
        exec(c, "INSERT INTO src (id, amount) SELECT g, g FROM generate_series(1001, 2500) g");
        refreshAndCheck("pd", other);
        exec(c, "UPDATE src SET amount = amount + 1 WHERE id BETWEEN 1001 AND 2600");
        refreshAndCheck("pd", other);
        assertThat(value(c, prepared)).isEqualTo("1");
        exec(c, "UPDATE src SET amount = amount + 1 WHERE id BETWEEN 1001 AND 1010");
        refreshAndCheck("pd", other);
        exec(c, "SELECT pgtrickle.drop_stream_table('pd')");
        assertThat(value(c, prepared)).as("a dropped stream table's statement is deallocated").isEqualTo("0");
    }
}
