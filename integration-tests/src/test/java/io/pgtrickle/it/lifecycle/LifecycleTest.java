package io.pgtrickle.it.lifecycle;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Sql;
import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The life cycle with FULL refresh: create variants, refresh, alter, suspend/resume, drop, history. */
@PgTest
class LifecycleTest {
    private Connection c;

    @BeforeEach
    void setUp(TestDatabase db) throws SQLException {
        c = db.connectPgtrickle();
        exec(c, "SELECT pgtrickle.create_stream_table('warmup', 'SELECT 1 AS one', '1m', 'FULL')",
                "SELECT pgtrickle.drop_stream_table('warmup')", // installs the catalog
                "DROP TABLE IF EXISTS src CASCADE", "CREATE TABLE src (id int PRIMARY KEY, grp text, amount numeric(10,2))",
                "INSERT INTO src VALUES (1, 'a', 10), (2, 'a', 20), (3, 'b', NULL), (4, NULL, 5)");
    }

    @AfterEach
    void tearDown() throws SQLException {
        // drop every stream table through the API, so that capture is removed as well
        for (String name : rows(c, "SELECT format('%I.%I', pgt_schema, pgt_name) FROM pgtrickle.pgt_stream_tables "
                + "ORDER BY pgt_id")) {
            if (!rows(c, "SELECT 1 FROM pgtrickle.pgt_stream_tables WHERE format('%I.%I', pgt_schema, pgt_name) = '"
                    + name.replace("'", "''") + "'").isEmpty()) {
                exec(c, "SELECT pgtrickle.drop_stream_table('" + name.replace("'", "''") + "', cascade => true)");
            }
        }
        assertThat(rows(c, "SELECT count(*) FROM pgtrickle.pgt_change_buffers")).containsExactly("0");
        c.close();
    }

    private static final String AGG = "SELECT grp, count(*) AS n, sum(amount) AS total FROM src GROUP BY grp";

    @Test
    void refreshFollowsInsertsUpdatesDeletesNullsAndDuplicates() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('agg', '" + AGG + "', '1m', 'FULL')");
        exec(c, "SELECT pgtrickle.create_stream_table('dup', 'SELECT grp, amount FROM src', '1m', 'FULL')");
        Oracle.assertStreamTableMatches(c, "agg", AGG);
        exec(c, "INSERT INTO src VALUES (5, 'a', 20), (6, NULL, NULL), (7, 'c', 1)",
                "UPDATE src SET amount = amount + 1 WHERE grp = 'a'",
                "UPDATE src SET id = 100, grp = 'b' WHERE id = 1",
                "DELETE FROM src WHERE id = 4");
        exec(c, "SELECT pgtrickle.refresh_stream_table('agg')", "SELECT pgtrickle.refresh_stream_table('dup')");
        Oracle.assertStreamTableMatches(c, "agg", AGG);
        Oracle.assertStreamTableMatches(c, "dup", "SELECT grp, amount FROM src");
        exec(c, "TRUNCATE src", "SELECT pgtrickle.refresh_stream_table('agg')");
        assertThat(value(c, "SELECT count(*) FROM agg")).isEqualTo("0");
    }

    @Test
    void noChangeMeansNoData() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('nd', 'SELECT id FROM src', '1m', 'FULL')",
                "SELECT pgtrickle.refresh_stream_table('nd')");
        assertThat(rows(c, "SELECT action, status, initiated_by FROM pgtrickle.get_refresh_history('nd') "
                + "ORDER BY refresh_id")).containsExactly("FULL | COMPLETED | INITIAL", "NO_DATA | COMPLETED | MANUAL");
        exec(c, "INSERT INTO src VALUES (9, 'z', 9)", "SELECT pgtrickle.refresh_stream_table('nd')");
        assertThat(value(c, "SELECT action || ' ' || rows_inserted || ' ' || rows_deleted "
                + "FROM pgtrickle.get_refresh_history('nd', 1)")).isEqualTo("FULL 5 4");
        assertThat(value(c, "SELECT count(*) FROM pgtrickle_changes.changes_" + value(c, "SELECT 'src'::regclass::oid")))
                .as("consumed changes are deleted").isEqualTo("0");
    }

    @Test
    void ifNotExistsAndOrReplace() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('r', 'SELECT id, grp FROM src', '1m', 'FULL')");
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pgtrickle.create_stream_table_if_not_exists('r', 'SELECT 1 AS x', '1m', 'FULL')");
            SQLWarning w = s.getWarnings();
            assertThat((Throwable) w).isNotNull();
            assertThat(w.getMessage()).contains("already exists, skipping");
        }
        assertThat(value(c, "SELECT count(*) FROM r")).isEqualTo("4");
        String relid = value(c, "SELECT 'r'::regclass::oid");

        // same definition: nothing changes
        exec(c, "SELECT pgtrickle.create_or_replace_stream_table('r', 'SELECT id, grp FROM src', '1m', 'FULL')");
        assertThat(value(c, "SELECT count(*) FROM pgtrickle.get_refresh_history('r')")).isEqualTo("1");
        // settings change in place
        exec(c, "SELECT pgtrickle.create_or_replace_stream_table('r', 'SELECT id, grp FROM src', '5m', 'FULL')");
        assertThat(value(c, "SELECT schedule FROM pgtrickle.pgt_status() WHERE name = 'public.r'")).isEqualTo("5m");
        assertThat(value(c, "SELECT 'r'::regclass::oid")).isEqualTo(relid);
        // same columns, new query: same table, refreshed
        exec(c, "SELECT pgtrickle.create_or_replace_stream_table('r', 'SELECT id, grp FROM src WHERE id > 1', '5m', 'FULL')");
        assertThat(value(c, "SELECT 'r'::regclass::oid")).isEqualTo(relid);
        Oracle.assertStreamTableMatches(c, "r", "SELECT id, grp FROM src WHERE id > 1");
        // new columns: the storage table is rebuilt
        exec(c, "SELECT pgtrickle.create_or_replace_stream_table('r', 'SELECT grp, count(*) AS n FROM src GROUP BY grp', "
                + "'5m', 'FULL')");
        Oracle.assertStreamTableMatches(c, "r", "SELECT grp, count(*) AS n FROM src GROUP BY grp");
    }

    @Test
    void alterScheduleModeAndStatus() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('al', 'SELECT id FROM src', '1m', 'FULL')");
        exec(c, "SELECT pgtrickle.alter_stream_table('al', schedule => '*/5 * * * *')");
        assertThat(value(c, "SELECT schedule || ' ' || status FROM pgtrickle.pgt_status() WHERE name = 'public.al'"))
                .isEqualTo("*/5 * * * * ACTIVE");
        exec(c, "SELECT pgtrickle.alter_stream_table('al', status => 'SUSPENDED')");
        Sql.fails(c, "55000", "SELECT pgtrickle.refresh_stream_table('al')");
        exec(c, "SELECT pgtrickle.resume_stream_table('al')", "SELECT pgtrickle.refresh_stream_table('al')");
        exec(c, "SELECT pgtrickle.alter_stream_table('al', status => 'suspended')",
                "SELECT pgtrickle.alter_stream_table('al', status => 'ACTIVE')");
        assertThat(value(c, "SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'al'")).isEqualTo("ACTIVE");
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pgtrickle.alter_stream_table('al', refresh_mode => 'AUTO')");
            assertThat((Throwable) s.getWarnings()).as("AUTO chooses DIFFERENTIAL without a warning").isNull();
        }
        assertThat(rows(c, "SELECT * FROM pgtrickle.explain_refresh_mode('al')"))
                .singleElement().asString().startsWith("AUTO | DIFFERENTIAL | ");
        exec(c, "SELECT pgtrickle.alter_stream_table('al', query => 'SELECT id FROM src WHERE id < 3')");
        Oracle.assertStreamTableMatches(c, "al", "SELECT id FROM src WHERE id < 3");
    }

    @Test
    void dropCascadeAndCaptureSharing() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('base', 'SELECT id, grp FROM src', '1m', 'FULL')",
                "SELECT pgtrickle.create_stream_table('mid', 'SELECT grp, count(*) AS n FROM base GROUP BY grp', '1m', 'FULL')",
                "SELECT pgtrickle.create_stream_table('top', 'SELECT count(*) AS groups FROM mid', '1m', 'FULL')",
                "SELECT pgtrickle.create_stream_table('other', 'SELECT id FROM src', '1m', 'FULL')");
        assertThat(rows(c, "SELECT source_name, source_type FROM pgtrickle.list_sources('mid')"))
                .containsExactly("base | STREAM_TABLE");
        exec(c, "INSERT INTO src VALUES (50, 'q', 1)", "SELECT pgtrickle.refresh_stream_table('base')",
                "SELECT pgtrickle.refresh_stream_table('mid')", "SELECT pgtrickle.refresh_stream_table('top')");
        Oracle.assertStreamTableMatches(c, "top", "SELECT count(DISTINCT grp) + (CASE WHEN bool_or(grp IS NULL) "
                + "THEN 1 ELSE 0 END) AS groups FROM src");
        exec(c, "SELECT pgtrickle.drop_stream_table('base', cascade => true)");
        assertThat(rows(c, "SELECT pgt_name FROM pgtrickle.pgt_stream_tables")).containsExactly("other");
        assertThat(rows(c, "SELECT source_name FROM pgtrickle.pgt_change_buffers")).containsExactly("src");
        exec(c, "SELECT pgtrickle.drop_stream_table('other')");
        assertThat(rows(c, "SELECT count(*) FROM pgtrickle.pgt_change_buffers")).containsExactly("0");
        assertThat(rows(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'src'::regclass")).containsExactly("0");
    }

    @Test
    void viewsAreExpandedToTheirTables() throws SQLException {
        exec(c, "CREATE VIEW v_src AS SELECT id, grp FROM src WHERE amount IS NOT NULL",
                "SELECT pgtrickle.create_stream_table('from_view', 'SELECT grp, count(*) AS n FROM v_src GROUP BY grp', "
                        + "'1m', 'FULL')");
        assertThat(rows(c, "SELECT source_name, source_type FROM pgtrickle.list_sources('from_view')"))
                .containsExactly("src | TABLE");
        exec(c, "UPDATE src SET amount = 1 WHERE id = 3", "SELECT pgtrickle.refresh_stream_table('from_view')");
        Oracle.assertStreamTableMatches(c, "from_view", "SELECT grp, count(*) AS n FROM v_src GROUP BY grp");
        exec(c, "SELECT pgtrickle.drop_stream_table('from_view')", "DROP VIEW v_src");
    }

    @Test
    void droppedSourceMakesRefreshFailWithItsSqlstate() throws SQLException {
        exec(c, "CREATE TABLE gone (x int)", "SELECT pgtrickle.create_stream_table('orphan', 'SELECT x FROM gone', '1m', 'FULL')",
                "DROP TABLE gone");
        Sql.fails(c, "42P01", "SELECT pgtrickle.refresh_stream_table('orphan')");
        assertThat(value(c, "SELECT status || ' ' || consecutive_errors || ' ' || last_error_message "
                + "FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'orphan'"))
                .isEqualTo("ERROR 1 source table public.gone of stream table public.orphan no longer exists");
        assertThat(value(c, "SELECT action || ' ' || status || ' ' || initiated_by FROM pgtrickle.get_refresh_history('orphan', 1)"))
                .isEqualTo("FULL FAILED MANUAL");
        assertThat(value(c, "SELECT status FROM pgtrickle.quick_health")).isEqualTo("CRITICAL");
        // made again, the same definition brings it back
        exec(c, "CREATE TABLE gone (x int)", "INSERT INTO gone VALUES (1)",
                "SELECT pgtrickle.create_or_replace_stream_table('orphan', 'SELECT x FROM gone', '1m', 'FULL')");
        assertThat(value(c, "SELECT status || ' ' || consecutive_errors FROM pgtrickle.pgt_stream_tables "
                + "WHERE pgt_name = 'orphan'")).isEqualTo("ACTIVE 0");
        Oracle.assertStreamTableMatches(c, "orphan", "SELECT x FROM gone");
        exec(c, "SELECT pgtrickle.drop_stream_table('orphan')");
    }

    @Test
    void storageTableDroppedByHandIsStillCleanedUp() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('by_hand', 'SELECT id FROM src', '1m', 'FULL')",
                "DROP TABLE by_hand");
        Sql.fails(c, "42P01", "SELECT count(*) FROM by_hand");
        exec(c, "SELECT pgtrickle.drop_stream_table('by_hand')");
        assertThat(rows(c, "SELECT count(*) FROM pgtrickle.pgt_stream_tables")).containsExactly("0");
        assertThat(rows(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'src'::regclass")).containsExactly("0");
    }

    @Test
    void monitoringObjectsAnswer() throws SQLException {
        exec(c, "SELECT pgtrickle.create_stream_table('mon', 'SELECT id FROM src', '1h', 'FULL')");
        assertThat(value(c, "SELECT status FROM pgtrickle.quick_health")).isEqualTo("OK");
        assertThat(value(c, "SELECT total_refreshes || ' ' || stale FROM pgtrickle.pg_stat_stream_tables "
                + "WHERE pgt_name = 'mon'")).isEqualTo("1 false");
        assertThat(value(c, "SELECT pgtrickle.get_staleness('mon') < interval '1 minute'")).isEqualTo("t");
        assertThat(value(c, "SELECT pgtrickle.version()")).isNotBlank();
        assertThat(rows(c, "SELECT * FROM pgtrickle.change_buffer_sizes()")).hasSize(1);
        assertThat(rows(c, "SELECT * FROM pgtrickle.stream_tables_info")).hasSize(1);
        assertThat(rows(c, "SELECT * FROM pgtrickle.pgt_cdc_status")).hasSize(1);
        assertThat(rows(c, "SELECT * FROM pgtrickle.st_refresh_stats()")).hasSize(1);
    }
}
