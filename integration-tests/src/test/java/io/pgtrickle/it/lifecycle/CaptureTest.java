package io.pgtrickle.it.lifecycle;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Sql;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Change capture: what lands in the buffer, exactly, and that it never gets in the application's way.
 * A buffer copies only the columns its readers' maintenance SQL reads (CaptureColumnsTest): here
 * {@code typed_counts} counts the values of every column, so the buffer holds them all.
 */
@PgTest
class CaptureTest {
    private Connection c;
    private String buffer;

    @BeforeEach
    void setUp(TestDatabase db) throws SQLException {
        c = db.connectPgtrickle();
        exec(c, "CREATE TABLE typed (id int PRIMARY KEY, n numeric(20,6), f float8, ts timestamptz, t text, j jsonb, "
                + "a int[], b bytea, iv interval)",
                "SELECT pgtrickle.create_stream_table('typed_st', 'SELECT id, t FROM typed', '1m', 'FULL')",
                "SELECT pgtrickle.create_stream_table('typed_counts', 'SELECT id % 2 AS parity, count(n) AS n, "
                        + "count(f) AS f, count(ts) AS ts, count(t) AS t, count(j) AS j, count(a) AS a, count(b) AS b, "
                        + "count(iv) AS iv FROM typed GROUP BY id % 2', '1m', 'DIFFERENTIAL')");
        buffer = "pgtrickle_changes.changes_" + value(c, "SELECT 'typed'::regclass::oid");
    }

    @AfterEach
    void tearDown() throws SQLException {
        exec(c, "SELECT pgtrickle.drop_stream_table('typed_counts')", "SELECT pgtrickle.drop_stream_table('typed_st')",
                "DROP TABLE typed");
        c.close();
    }

    @Test
    void capturedValuesAreExactlyTheWrittenOnes() throws SQLException {
        exec(c, "INSERT INTO typed VALUES "
                + "(1, 12345678901234.123456, 0.1, '2026-01-02 03:04:05.678901+02', 'it''s \\ \"q\"', "
                + "'{\"k\": [1, 2.50, null]}', '{1,NULL,3}', '\\x00ff', '1 mon 2 days 00:00:01.5'), "
                + "(2, 'NaN', 'Infinity', '-infinity', '', 'null', '{}', '', '-1 year'), "
                + "(3, NULL, -0.0, NULL, NULL, NULL, NULL, NULL, NULL), "
                + "(4, 1e-6, 1.7976931348623157e308, 'epoch', repeat('x', 3000), '\"s\"', '{-2147483648}', "
                + "'\\x', '0')");
        String cols = "id, n, f, ts, t, j, a, b, iv";
        assertThat(rows(c, "SELECT " + cols + " FROM typed EXCEPT ALL SELECT " + cols + " FROM " + buffer)).isEmpty();
        assertThat(rows(c, "SELECT " + cols + " FROM " + buffer + " EXCEPT ALL SELECT " + cols + " FROM typed")).isEmpty();
        assertThat(value(c, "SELECT string_agg(DISTINCT __pgt_op::text, ',') FROM " + buffer)).isEqualTo("I");
    }

    @Test
    void updateIsDeleteOfOldPlusInsertOfNewStampedWithTheWriter() throws SQLException {
        exec(c, "INSERT INTO typed (id, t) VALUES (1, 'old')");
        c.setAutoCommit(false);
        exec(c, "UPDATE typed SET id = 2, t = 'new' WHERE id = 1");
        String xid = value(c, "SELECT pg_current_xact_id()");
        c.commit();
        c.setAutoCommit(true);
        assertThat(rows(c, "SELECT __pgt_op, id, t, __pgt_xid = '" + xid + "'::xid8 FROM " + buffer
                + " WHERE __pgt_seq > (SELECT min(__pgt_seq) FROM " + buffer + ") ORDER BY __pgt_seq"))
                .containsExactly("D | 1 | old | t", "I | 2 | new | t");
    }

    @Test
    void rolledBackWritesLeaveNoChanges() throws SQLException {
        c.setAutoCommit(false);
        exec(c, "INSERT INTO typed (id) VALUES (1)", "SAVEPOINT s", "INSERT INTO typed (id) VALUES (2)",
                "ROLLBACK TO SAVEPOINT s");
        c.commit();
        exec(c, "INSERT INTO typed (id) VALUES (3)");
        c.rollback();
        c.setAutoCommit(true);
        assertThat(rows(c, "SELECT id FROM " + buffer + " ORDER BY __pgt_seq")).containsExactly("1");
        exec(c, "TRUNCATE typed");
        assertThat(rows(c, "SELECT __pgt_op FROM " + buffer + " ORDER BY __pgt_seq")).containsExactly("I", "T");
    }

    @Test
    void sourceDdlNeverBreaksTheApplicationsWrites() throws SQLException {
        exec(c, "ALTER TABLE typed ADD COLUMN extra int", "INSERT INTO typed (id, t, extra) VALUES (1, 'a', 1)",
                "ALTER TABLE typed RENAME COLUMN n TO n2", "INSERT INTO typed (id, t, n2) VALUES (2, 'b', 2)",
                "ALTER TABLE typed DROP COLUMN f", "UPDATE typed SET t = 'c'", "DELETE FROM typed WHERE id = 1");
        // 2 inserts, an update of 2 rows (2 deletes + 2 inserts), 1 delete
        assertThat(value(c, "SELECT count(*) FROM " + buffer)).isEqualTo("7");
        assertThat(rows(c, "SELECT __pgt_op, id, t, n FROM " + buffer + " ORDER BY __pgt_seq")).containsExactly(
                "I | 1 | a | null", "I | 2 | b | null", "D | 1 | a | null", "D | 2 | b | null",
                "I | 1 | c | null", "I | 2 | c | null", "D | 1 | c | null");
        // the stream table reads id and t, which still exist: it keeps refreshing
        exec(c, "SELECT pgtrickle.refresh_stream_table('typed_st')");
        assertThat(rows(c, "SELECT id, t FROM typed_st")).containsExactly("2 | c");
        // a renamed column it reads makes its refresh fail with PostgreSQL's error, writes still work
        exec(c, "ALTER TABLE typed RENAME COLUMN t TO t2", "INSERT INTO typed (id) VALUES (5)");
        SQLException e = Sql.fails(c, "42P17", "SELECT pgtrickle.refresh_stream_table('typed_st')");
        assertThat(e.getMessage()).contains("changed incompatibly").contains("column");
        assertThat(value(c, "SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'typed_st'")).isEqualTo("ERROR");
        exec(c, "ALTER TABLE typed RENAME COLUMN t2 TO t", "SELECT pgtrickle.refresh_stream_table('typed_st')");
        // retyping a column, or widening it, does not break writes either
        exec(c, "ALTER TABLE typed ALTER COLUMN n2 TYPE text", "INSERT INTO typed (id, n2) VALUES (8, 'eight')",
                "ALTER TABLE typed ALTER COLUMN ts TYPE timestamptz(3)",
                "INSERT INTO typed (id, t, ts) VALUES (9, 'nine', '2026-01-01 00:00:00.123+00')");
        // a retyped column is no longer captured (NULL in the buffer); a changed modifier still is
        assertThat(rows(c, "SELECT id, t, n, ts = '2026-01-01 00:00:00.123+00' FROM " + buffer
                + " WHERE id IN (8, 9) ORDER BY id")).containsExactly("8 | null | null | null", "9 | nine | null | t");
        assertThat(value(c, "SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'typed_st'")).isEqualTo("ACTIVE");
    }

    @Test
    void anyRoleThatMayWriteTheSourceIsCaptured(TestDatabase db) throws SQLException {
        String role = "writer_" + db.name();
        exec(c, "CREATE ROLE " + role, "GRANT INSERT ON typed TO " + role, "SET ROLE " + role,
                "INSERT INTO typed (id, t) VALUES (7, 'by writer')", "RESET ROLE");
        assertThat(rows(c, "SELECT id, t FROM " + buffer)).containsExactly("7 | by writer");
        exec(c, "REVOKE ALL ON typed FROM " + role, "DROP ROLE " + role);
    }

    /**
     * A role other than the catalog's owner captures a new source, and refreshes it after its buffer's
     * epoch is gone (what a crash does, decision w): both need the epoch table, and the refresh recomputes.
     */
    @Test
    void anotherRoleCapturesASourceAndRecomputesWhenItsBufferEpochIsGone(TestDatabase db) throws SQLException {
        String role = "owner_" + db.name();
        exec(c, "CREATE ROLE " + role, "GRANT CREATE ON SCHEMA public TO " + role,
                "GRANT USAGE, CREATE ON SCHEMA pgtrickle_changes TO " + role, "SET ROLE " + role,
                "CREATE TABLE owned (id int PRIMARY KEY, v int)", "INSERT INTO owned VALUES (1, 10), (2, 20)",
                "SELECT pgtrickle.create_stream_table('owned_st', 'SELECT id, v FROM owned WHERE v > 5', '1m', 'DIFFERENTIAL')",
                "INSERT INTO owned VALUES (3, 30)", "RESET ROLE",
                "DELETE FROM pgtrickle.pgt_buffer_epochs WHERE source_relid = 'owned'::regclass::oid",
                "SET ROLE " + role, "SELECT pgtrickle.refresh_stream_table('owned_st')");
        assertThat(value(c, "SELECT action || ': ' || reason FROM pgtrickle.get_refresh_history('owned_st', 1)"))
                .startsWith("FULL: the change buffer of public.owned was emptied");
        io.pgtrickle.it.harness.Oracle.assertStreamTableMatches(c, "owned_st", "SELECT id, v FROM owned WHERE v > 5");
        exec(c, "UPDATE owned SET v = 1 WHERE id = 1", "SELECT pgtrickle.refresh_stream_table('owned_st')");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('owned_st', 1)")).isEqualTo("DIFFERENTIAL");
        io.pgtrickle.it.harness.Oracle.assertStreamTableMatches(c, "owned_st", "SELECT id, v FROM owned WHERE v > 5");
        exec(c, "SELECT pgtrickle.drop_stream_table('owned_st')", "DROP TABLE owned", "RESET ROLE",
                "DROP OWNED BY " + role, "DROP ROLE " + role);
    }
}
