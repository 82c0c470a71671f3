package io.pgtrickle.it.lifecycle;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.rows;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.Poll;
import io.pgtrickle.it.harness.Sql;
import io.pgtrickle.it.harness.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A change buffer copies only the columns its readers' maintenance SQL reads (decision z of
 * docs/architecture.md), and grows when a new reader needs more, without losing or misreading a change
 * of a writer that was running meanwhile, in READ COMMITTED and REPEATABLE READ.
 */
@PgTest
class CaptureColumnsTest {
    private static final String KEYED = "SELECT id, a FROM wide WHERE b > 0";
    private static final String GROUPED = "SELECT a, sum(c) AS total, count(*) AS n FROM wide GROUP BY a";

    /** Updates that move rows between groups and change their sums (and nothing else). */
    private static final String MOVE_ROWS = "UPDATE wide SET a = 'g9', c = c + 1 WHERE id % 5 = 0";

    private TestDatabase db;
    private Connection c;

    @BeforeEach
    void setUp(TestDatabase db) throws SQLException {
        this.db = db;
        c = db.connectPgtrickle();
        exec(c, "CREATE TABLE wide (id int PRIMARY KEY, a text, b int, c int, d text)",
                "INSERT INTO wide SELECT g, 'g' || (g % 3), g % 4, g * 3, repeat('d', 100) FROM generate_series(1, 30) g");
    }

    @AfterEach
    void tearDown() throws SQLException {
        if (!c.getAutoCommit()) {
            c.rollback();
            c.setAutoCommit(true);
        }
        exec(c, "RESET ROLE");
        for (String name : rows(c, "SELECT pgt_name FROM pgtrickle.pgt_stream_tables ORDER BY pgt_id DESC")) {
            exec(c, "SELECT pgtrickle.drop_stream_table('" + name + "')");
        }
        exec(c, "DROP TABLE wide");
        c.close();
    }

    private String bufferColumns() throws SQLException {
        return value(c, "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = "
                + "('pgtrickle_changes.changes_' || 'wide'::regclass::oid)::regclass AND attnum > 0 AND NOT attisdropped "
                + "AND attname NOT LIKE '\\_\\_pgt\\_%'");
    }

    private void writeSomething(Connection w, int seed) throws SQLException {
        exec(w, "UPDATE wide SET a = 'g' || ((id + " + seed + ") % 4), c = c + 1 WHERE id % 5 = " + (seed % 5),
                "UPDATE wide SET id = id + 1000 WHERE id = " + (seed % 30 + 1),
                "DELETE FROM wide WHERE id % 7 = " + (seed % 7),
                "INSERT INTO wide VALUES (" + (2000 + seed) + ", NULL, 1, NULL, 'x'), (" + (3000 + seed) + ", 'g1', 2, 4, 'y')");
    }

    /** Polls, on {@code watcher}, until backend {@code waiting} waits for a lock that {@code holder} holds. */
    private static void waitUntilBlocked(Connection watcher, String waiting, String holder) throws Exception {
        Poll.until(Duration.ofSeconds(20), "backend " + waiting + " waits for " + holder, () -> value(watcher,
                "SELECT " + holder + " = ANY (pg_blocking_pids(" + waiting + "))").equals("t"));
    }

    /** Runs a statement on another thread, as another session would. */
    private static CompletableFuture<Void> inBackground(Connection session, String sql) {
        return CompletableFuture.runAsync(() -> {
            try {
                exec(session, sql);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private void refreshAndCheck(String... tables) throws SQLException {
        for (String t : tables) {
            exec(c, "SELECT pgtrickle.refresh_stream_table('" + t + "')");
            Oracle.assertStreamTableMatches(c, t, value(c,
                    "SELECT original_query FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '" + t + "'"));
        }
    }

    @Test
    void aBufferHoldsWhatItsReadersReadAndGrowsForANewOne() throws Exception {
        exec(c, "SELECT pgtrickle.create_stream_table('w_full', 'SELECT id, d FROM wide', '1m', 'FULL')");
        // a FULL refresh only asks whether anything changed
        assertThat(bufferColumns()).isEqualTo("null");
        exec(c, "SELECT pgtrickle.create_stream_table('w_keyed', '" + KEYED + "', '1m', 'DIFFERENTIAL')");
        // the keyed rule reads the changed keys and recomputes their rows from the table
        assertThat(bufferColumns()).isEqualTo("id");
        writeSomething(c, 1);
        exec(c, "SELECT pgtrickle.create_stream_table('w_grouped', '" + GROUPED + "', '1m', 'DIFFERENTIAL')");
        // the grouped rule adds up the changed rows: their group key and argument, and the key
        assertThat(bufferColumns()).isEqualTo("id,a,c");
        assertThat(value(c, "SELECT columns::text FROM pgtrickle.pgt_change_buffers WHERE source_relid = 'wide'::regclass"))
                .isEqualTo("{id,a,c}");
        // the rows written before, pending for w_keyed, still serve it
        refreshAndCheck("w_full", "w_keyed", "w_grouped");
        for (int round = 2; round < 6; round++) {
            writeSomething(c, round);
            refreshAndCheck("w_full", "w_keyed", "w_grouped");
        }
        // a reader going away leaves the buffer as wide as it is; the last one removes it
        exec(c, "SELECT pgtrickle.drop_stream_table('w_grouped')");
        assertThat(bufferColumns()).isEqualTo("id,a,c");
        exec(c, "SELECT pgtrickle.drop_stream_table('w_keyed')", "SELECT pgtrickle.drop_stream_table('w_full')");
        assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_change_buffers")).isEqualTo("0");
    }

    @Test
    void wideningWaitsForARunningWriterWhoseChangesTheNewReaderThenHasInFull() throws Exception {
        exec(c, "SELECT pgtrickle.create_stream_table('w_keyed', '" + KEYED + "', '1m', 'DIFFERENTIAL')");
        try (Connection writer = db.connect(); Connection creator = db.connectPgtrickle()) {
            writer.setAutoCommit(false);
            writeSomething(writer, 1); // captured without a and c
            String writerPid = value(writer, "SELECT pg_backend_pid()");
            String creatorPid = value(creator, "SELECT pg_backend_pid()");
            CompletableFuture<Void> create = inBackground(creator,
                    "SELECT pgtrickle.create_stream_table('w_grouped', '" + GROUPED + "', '1m', 'DIFFERENTIAL')");
            waitUntilBlocked(c, creatorPid, writerPid);
            writeSomething(writer, 2);
            writer.commit();
            create.get(30, TimeUnit.SECONDS);
            Oracle.assertStreamTableMatches(c, "w_grouped", GROUPED);
            // a writer that comes after the widening is held until it commits, then copies a and c
            writeSomething(writer, 3);
            writer.commit();
        }
        refreshAndCheck("w_keyed", "w_grouped");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('w_grouped', 1)")).isEqualTo("DIFFERENTIAL");
    }

    /**
     * A writer whose statement starts after the widening altered the buffer, but before it committed, is
     * held at the source (not inside its trigger, which would then run the old capture function and copy
     * the changes without the new columns).
     */
    @Test
    void aWriterStartingDuringTheWideningIsHeldUntilItCommits() throws Exception {
        exec(c, "SELECT pgtrickle.create_stream_table('w_keyed', '" + KEYED + "', '1m', 'DIFFERENTIAL')");
        c.setAutoCommit(false);
        exec(c, "SELECT pgtrickle.create_stream_table('w_grouped', '" + GROUPED + "', '1m', 'DIFFERENTIAL')");
        try (Connection writer = db.connect()) {
            String writerPid = value(writer, "SELECT pg_backend_pid()");
            String creatorPid = value(c, "SELECT pg_backend_pid()");
            CompletableFuture<Void> write = inBackground(writer, MOVE_ROWS);
            try (Connection watcher = db.connect()) {
                waitUntilBlocked(watcher, writerPid, creatorPid);
            }
            c.commit();
            c.setAutoCommit(true);
            write.get(30, TimeUnit.SECONDS);
        }
        refreshAndCheck("w_keyed", "w_grouped");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('w_grouped', 1)")).isEqualTo("DIFFERENTIAL");
    }

    @Test
    void aRepeatableReadSnapshotFromBeforeTheWideningRecomputesOnce() throws Exception {
        exec(c, "SELECT pgtrickle.create_stream_table('w_keyed', '" + KEYED + "', '1m', 'DIFFERENTIAL')");
        c.setAutoCommit(false);
        exec(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", "SELECT count(*) FROM wide"); // the snapshot
        try (Connection writer = db.connect()) {
            // committed after the snapshot, captured without a and c: read as they are, the old and new
            // images would cancel out, and the change be lost without a trace
            exec(writer, MOVE_ROWS);
        }
        exec(c, "SELECT pgtrickle.create_stream_table('w_grouped', '" + GROUPED + "', '1m', 'DIFFERENTIAL')");
        c.commit();
        c.setAutoCommit(true);
        refreshAndCheck("w_grouped");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('w_grouped', 1)")).isEqualTo("FULL");
        writeSomething(c, 5);
        refreshAndCheck("w_keyed", "w_grouped");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('w_grouped', 1)")).isEqualTo("DIFFERENTIAL");
    }

    @Test
    void switchingAFullTableToDifferentialWidensAndRecomputesOnce() throws Exception {
        exec(c, "SELECT pgtrickle.create_stream_table('w_grouped', '" + GROUPED + "', '1m', 'FULL')");
        assertThat(bufferColumns()).isEqualTo("null");
        writeSomething(c, 1); // pending, captured with no columns
        exec(c, "SELECT pgtrickle.alter_stream_table('w_grouped', refresh_mode => 'DIFFERENTIAL')");
        assertThat(bufferColumns()).isEqualTo("id,a,c");
        refreshAndCheck("w_grouped");
        writeSomething(c, 2);
        refreshAndCheck("w_grouped");
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('w_grouped', 1)")).isEqualTo("DIFFERENTIAL");
    }

    /**
     * Only the role that installed capture may widen it: DIFFERENTIAL by another role that needs more
     * columns is refused with 42501, AUTO refreshes FULL and says why; nothing is left behind.
     */
    @Test
    void anotherRoleThatCannotWidenTheBufferIsRefusedOrFallsBackToFull(TestDatabase db) throws Exception {
        String role = "reader_" + db.name();
        exec(c, "SELECT pgtrickle.create_stream_table('w_keyed', '" + KEYED + "', '1m', 'DIFFERENTIAL')",
                "CREATE ROLE " + role, "GRANT CREATE ON SCHEMA public TO " + role, "GRANT SELECT, INSERT, UPDATE, DELETE ON wide TO " + role,
                "GRANT USAGE ON SCHEMA pgtrickle_changes TO " + role,
                "GRANT SELECT, DELETE ON pgtrickle_changes.changes_" + value(c, "SELECT 'wide'::regclass::oid") + " TO " + role,
                "SET ROLE " + role);
        SQLException refused = Sql.fails(c, "42501",
                "SELECT pgtrickle.create_stream_table('w_grouped', '" + GROUPED + "', '1m', 'DIFFERENTIAL')");
        assertThat(refused.getMessage()).contains("cannot be refreshed DIFFERENTIAL").contains("columns a, c of public.wide");
        assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'w_grouped'")).isEqualTo("0");
        var statement = c.createStatement();
        statement.execute("SELECT pgtrickle.create_stream_table('w_grouped', '" + GROUPED + "', '1m', 'AUTO')");
        SQLWarning warning = statement.getWarnings();
        assertThat((Object) warning).isNotNull();
        assertThat(warning.getMessage()).contains("will be refreshed FULL").contains("which its change buffer does not capture");
        statement.close();
        writeSomething(c, 1);
        refreshAndCheck("w_grouped");
        exec(c, "SELECT pgtrickle.drop_stream_table('w_grouped')", "RESET ROLE");
        assertThat(bufferColumns()).isEqualTo("id");
        exec(c, "DROP OWNED BY " + role, "DROP ROLE " + role);
    }
}
