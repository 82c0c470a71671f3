package io.pgtrickle.it.lifecycle;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Sql;
import io.pgtrickle.it.harness.CatalogSnapshot;
import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Calls are transactional and run as part of the caller's own transaction. */
@PgTest
class TransactionTest {

    @BeforeAll
    static void setUp(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle()) {
            exec(c, "CREATE TABLE src (id int PRIMARY KEY, v text)", "INSERT INTO src VALUES (1, 'a'), (2, 'b')");
            // installs the catalog, so that the snapshots below compare stream-table objects only
            exec(c, "SELECT pgtrickle.create_stream_table('warmup', 'SELECT 1 AS one', '1m', 'FULL')",
                    "SELECT pgtrickle.drop_stream_table('warmup')");
        }
    }

    @Test
    void createInRolledBackTransactionLeavesNothing(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle()) {
            CatalogSnapshot before = CatalogSnapshot.capture(c);
            c.setAutoCommit(false);
            exec(c, "SELECT pgtrickle.create_stream_table('rolled', 'SELECT id, v FROM src', '1m', 'FULL')");
            assertThat(rows(c, "SELECT count(*) FROM rolled")).containsExactly("2");
            c.rollback();
            c.setAutoCommit(true);
            CatalogSnapshot after = CatalogSnapshot.capture(c);
            assertThat(after).as(after.diff(before)).isEqualTo(before);
        }
    }

    @Test
    void sqlBeginAndRollbackWork(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle()) {
            CatalogSnapshot before = CatalogSnapshot.capture(c);
            exec(c, "BEGIN", "SELECT pgtrickle.create_stream_table('rolled2', 'SELECT id FROM src', '1m', 'FULL')",
                    "ROLLBACK");
            assertThat(CatalogSnapshot.capture(c)).isEqualTo(before);
        }
    }

    @Test
    void committedCreateIsVisibleToOthers(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle(); Connection other = db.connect()) {
            c.setAutoCommit(false);
            exec(c, "SELECT pgtrickle.create_stream_table('committed_st', 'SELECT id, v FROM src', '1m', 'FULL')");
            assertThat(rows(other, "SELECT to_regclass('committed_st') IS NULL")).containsExactly("t");
            c.commit();
            assertThat(rows(other, "SELECT id, v FROM committed_st ORDER BY id")).containsExactly("1 | a", "2 | b");
            c.setAutoCommit(true);
            exec(c, "SELECT pgtrickle.drop_stream_table('committed_st')");
        }
    }

    @Test
    void failedCallAbortsTheTransactionLikePostgresql(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle()) {
            c.setAutoCommit(false);
            exec(c, "INSERT INTO src VALUES (10, 'in tx')");
            Sql.fails(c, "22023", "SELECT pgtrickle.create_stream_table('bad', 'SELECT 1', '1m', 'NOPE')");
            // as after any error in PostgreSQL: the block is aborted until ROLLBACK
            Sql.fails(c, "25P02", "SELECT 1");
            c.rollback();
            assertThat(rows(c, "SELECT count(*) FROM src WHERE id = 10")).containsExactly("0");
            c.setAutoCommit(true);
        }
    }

    @Test
    void serverErrorInsideCallAbortsTheTransactionToo(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle()) {
            c.setAutoCommit(false);
            Sql.fails(c, "42P01", "SELECT pgtrickle.create_stream_table('bad', 'SELECT * FROM nowhere', '1m', 'FULL')");
            Sql.fails(c, "25P02", "SELECT 1");
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    @Test
    void refreshInsideTransactionSeesItsOwnWrites(TestDatabase db) throws SQLException {
        try (Connection c = db.connectPgtrickle()) {
            exec(c, "SELECT pgtrickle.create_stream_table('own_writes', 'SELECT id, v FROM src', '1m', 'FULL')");
            c.setAutoCommit(false);
            exec(c, "INSERT INTO src VALUES (20, 'mine')", "SELECT pgtrickle.refresh_stream_table('own_writes')");
            assertThat(rows(c, "SELECT v FROM own_writes WHERE id = 20")).containsExactly("mine");
            c.commit();
            c.setAutoCommit(true);
            exec(c, "SELECT pgtrickle.refresh_stream_table('own_writes')");
            io.pgtrickle.it.harness.Oracle.assertStreamTableMatches(c, "own_writes", "SELECT id, v FROM src");
            exec(c, "DELETE FROM src WHERE id = 20", "SELECT pgtrickle.drop_stream_table('own_writes')");
        }
    }

    /**
     * A refresh inside the transaction that changed the source applies those changes (they are visible
     * to it), and after COMMIT they are not pending again, although no snapshot of that transaction shows
     * them as committed: the next refresh is NO_DATA. Changes made after the refresh, in the same
     * transaction, stay pending.
     */
    @ParameterizedTest
    @ValueSource(strings = {"READ COMMITTED", "REPEATABLE READ"})
    void changesARefreshAppliedInItsOwnTransactionAreNotPendingAfterCommit(String isolation, TestDatabase db)
            throws SQLException {
        String name = "own_" + isolation.replace(' ', '_').toLowerCase(java.util.Locale.ROOT);
        try (Connection c = db.connectPgtrickle()) {
            exec(c, "CREATE TABLE " + name + "_src (id int PRIMARY KEY)",
                    "SELECT pgtrickle.create_stream_table('" + name + "', 'SELECT id FROM " + name + "_src', '1m', 'FULL')",
                    "BEGIN ISOLATION LEVEL " + isolation,
                    "INSERT INTO " + name + "_src VALUES (1), (2)",
                    "SELECT pgtrickle.refresh_stream_table('" + name + "')",
                    "COMMIT");
            assertThat(rows(c, "SELECT count(*) FROM " + name)).containsExactly("2");
            exec(c, "SELECT pgtrickle.refresh_stream_table('" + name + "')");
            assertThat(lastAction(c, name)).as("nothing left to apply").isEqualTo("NO_DATA");

            exec(c, "BEGIN ISOLATION LEVEL " + isolation,
                    "INSERT INTO " + name + "_src VALUES (3)",
                    "SELECT pgtrickle.refresh_stream_table('" + name + "')",
                    "INSERT INTO " + name + "_src VALUES (4)",
                    "COMMIT");
            assertThat(rows(c, "SELECT count(*) FROM " + name)).containsExactly("3");
            exec(c, "SELECT pgtrickle.refresh_stream_table('" + name + "')");
            assertThat(lastAction(c, name)).as("the row inserted after the refresh").isEqualTo("FULL");
            Oracle.assertStreamTableMatches(c, name, "SELECT id FROM " + name + "_src");
            exec(c, "SELECT pgtrickle.refresh_stream_table('" + name + "')");
            assertThat(lastAction(c, name)).isEqualTo("NO_DATA");
            exec(c, "SELECT pgtrickle.drop_stream_table('" + name + "')", "DROP TABLE " + name + "_src");
        }
    }

    private static String lastAction(Connection c, String name) throws SQLException {
        return rows(c, "SELECT h.action FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s "
                + "USING (pgt_id) WHERE s.pgt_name = '" + name + "' ORDER BY h.refresh_id DESC LIMIT 1").get(0);
    }
}
