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
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly-once under concurrency (DESIGN §3): long transactions that commit after refreshes, concurrent
 * writers, rollbacks, a refresh killed mid-way, and refreshes inside the writing transaction. Each
 * differential refresh must apply every committed change once, never a change of a transaction that
 * rolled back, and never the same change twice.
 */
@PgTest
class DifferentialConcurrencyTest {
    private static final String QUERY = "SELECT id, v * 2 AS twice, grp FROM src WHERE v IS DISTINCT FROM 0";
    private TestDatabase db;
    private Connection c;

    @BeforeEach
    void setUp(TestDatabase db) throws SQLException {
        this.db = db;
        c = db.connectPgtrickle();
        exec(c, "DROP TABLE IF EXISTS src CASCADE", "CREATE TABLE src (id int PRIMARY KEY, v int, grp int)",
                "INSERT INTO src SELECT g, g % 5, g % 3 FROM generate_series(1, 100) g",
                "SELECT pgtrickle.create_stream_table('st', $q$" + QUERY + "$q$, '1m', 'DIFFERENTIAL')");
    }

    @AfterEach
    void tearDown() throws SQLException {
        exec(c, "SELECT pgtrickle.drop_stream_table('st')");
        c.close();
    }

    private void refreshAndCheck(Connection on) throws SQLException {
        exec(on, "SELECT pgtrickle.refresh_stream_table('st')");
        assertThat(value(on, "SELECT action FROM pgtrickle.get_refresh_history('st', 1)")).isIn("DIFFERENTIAL", "NO_DATA");
        Oracle.assertStreamTableMatches(on, "st", QUERY);
    }

    @Test
    void aLongTransactionIsPickedUpByTheRefreshAfterItCommits() throws SQLException {
        try (Connection longTx = db.connect()) {
            longTx.setAutoCommit(false);
            exec(longTx, "INSERT INTO src VALUES (1001, 1, 1)", "UPDATE src SET v = 7 WHERE id = 5",
                    "DELETE FROM src WHERE id = 6");
            exec(c, "INSERT INTO src VALUES (1002, 2, 2)", "UPDATE src SET v = 9 WHERE id = 7");
            refreshAndCheck(c); // sees 1002, not the open transaction's changes
            assertThat(rows(c, "SELECT id FROM st WHERE id IN (1001, 1002) ORDER BY id")).containsExactly("1002");
            exec(c, "DELETE FROM src WHERE id = 8");
            refreshAndCheck(c);
            longTx.commit();
            refreshAndCheck(c); // now the long transaction's changes, committed after two refreshes
            assertThat(rows(c, "SELECT id FROM st WHERE id IN (1001, 1002, 6) ORDER BY id")).containsExactly("1001", "1002");
            refreshAndCheck(c); // and never again
            assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('st', 1)")).isEqualTo("NO_DATA");
        }
    }

    @Test
    void rolledBackTransactionsAndSavepointsNeverCount() throws SQLException {
        try (Connection w = db.connect()) {
            w.setAutoCommit(false);
            exec(w, "INSERT INTO src VALUES (2001, 1, 1)", "DELETE FROM src WHERE id = 13");
            w.rollback();
            exec(w, "INSERT INTO src VALUES (2002, 1, 1)", "SAVEPOINT s", "INSERT INTO src VALUES (2003, 1, 1)",
                    "UPDATE src SET v = 3 WHERE id = 11", "ROLLBACK TO SAVEPOINT s", "SAVEPOINT t",
                    "UPDATE src SET v = 4 WHERE id = 12", "RELEASE SAVEPOINT t");
            w.commit();
        }
        refreshAndCheck(c);
        assertThat(rows(c, "SELECT id FROM st WHERE id IN (13, 2001, 2002, 2003) ORDER BY id")).containsExactly("13", "2002");
    }

    @ParameterizedTest
    @ValueSource(strings = {"READ COMMITTED", "REPEATABLE READ"})
    void aRefreshInsideTheWritingTransactionIsRightAtOnceAndNotAppliedAgain(String isolation) throws SQLException {
        exec(c, "BEGIN ISOLATION LEVEL " + isolation, "INSERT INTO src VALUES (3001, 1, 1)", "UPDATE src SET v = 0 WHERE id = 1",
                "UPDATE src SET id = 3002 WHERE id = 2");
        exec(c, "SELECT pgtrickle.refresh_stream_table('st')");
        Oracle.assertStreamTableMatches(c, "st", QUERY);
        exec(c, "UPDATE src SET v = 1 WHERE id = 3001"); // more changes after the refresh, same transaction
        exec(c, "COMMIT");
        refreshAndCheck(c);
        assertThat(rows(c, "SELECT twice FROM st WHERE id = 3001")).containsExactly("2");
        refreshAndCheck(c);
        assertThat(value(c, "SELECT action FROM pgtrickle.get_refresh_history('st', 1)")).isEqualTo("NO_DATA");
    }

    @Test
    void aTransactionThatRefreshesBeforeWritingStillHasItsWritesApplied() throws SQLException {
        exec(c, "INSERT INTO src VALUES (6001, 1, 1)");
        exec(c, "BEGIN", "SELECT pgtrickle.refresh_stream_table('st')", // records this transaction, no rows of its own
                "INSERT INTO src VALUES (6002, 1, 1)", "COMMIT");
        refreshAndCheck(c);
        assertThat(rows(c, "SELECT id FROM st WHERE id IN (6001, 6002) ORDER BY id")).containsExactly("6001", "6002");
    }

    @Test
    void aRepeatableReadRefreshThatWaitedForAnotherOneFailsWithSerializationFailure() throws SQLException {
        try (Connection rr = db.connectPgtrickle()) {
            exec(rr, "BEGIN ISOLATION LEVEL REPEATABLE READ", "SELECT count(*) FROM src"); // snapshot taken
            exec(c, "INSERT INTO src VALUES (4001, 1, 1)");
            refreshAndCheck(c); // another refresh commits a newer frontier
            assertThat(fails(rr, "40001", "SELECT pgtrickle.refresh_stream_table('st')").getMessage())
                    .contains("stream table st was refreshed or altered by another session", "Retry the transaction");
            exec(rr, "ROLLBACK");
        }
        refreshAndCheck(c);
    }

    @Test
    void aKilledRefreshLeavesThePreviousStateAndTheNextCatchesUp() throws Exception {
        exec(c, "UPDATE src SET v = v + 1 WHERE id <= 20");
        List<String> before = rows(c, "SELECT id, twice FROM st ORDER BY id");
        try (Connection locker = db.connect(); Connection victim = db.connectPgtrickle()) {
            locker.setAutoCommit(false);
            exec(locker, "LOCK TABLE st IN ACCESS EXCLUSIVE MODE");
            String pid = value(victim, "SELECT pg_backend_pid()");
            CompletableFuture<Void> refresh = CompletableFuture.runAsync(() -> {
                try {
                    exec(victim, "SELECT pgtrickle.refresh_stream_table('st')");
                } catch (SQLException expected) {
                    // the connection is terminated
                }
            });
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (rows(locker, "SELECT 1 FROM pg_stat_activity WHERE pid = " + pid + " AND wait_event_type = 'Lock'").isEmpty()) {
                assertThat(Instant.now()).as("the refresh waits for the lock").isBefore(deadline);
                Thread.sleep(20);
            }
            exec(locker, "SELECT pg_terminate_backend(" + pid + ")");
            refresh.get(30, TimeUnit.SECONDS);
            locker.rollback();
        }
        assertThat(rows(c, "SELECT id, twice FROM st ORDER BY id")).isEqualTo(before);
        refreshAndCheck(c);
    }

    @Test
    void fourWritersDuringRepeatedRefreshes() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Integer>> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int seed = w;
            writers.add(pool.submit(() -> write(seed, writing)));
        }
        int checked = 0;
        try (Connection r = db.connectPgtrickle()) {
            for (int i = 0; i < 15; i++) {
                // refresh and oracle in one REPEATABLE READ transaction: both see the same snapshot
                exec(r, "BEGIN ISOLATION LEVEL REPEATABLE READ", "SELECT pgtrickle.refresh_stream_table('st')");
                Oracle.assertStreamTableMatches(r, "st", QUERY);
                exec(r, "COMMIT");
                checked++;
            }
        } finally {
            writing.set(false);
            pool.shutdown();
        }
        int transactions = 0;
        for (Future<Integer> f : writers) {
            transactions += f.get(60, TimeUnit.SECONDS);
        }
        refreshAndCheck(c);
        assertThat(transactions).as("writers committed while refreshes ran").isGreaterThan(4);
        assertThat(checked).isEqualTo(15);
    }

    /** Random small transactions until told to stop; each writer has its own ids, and all update shared rows. */
    private Integer write(int seed, AtomicBoolean writing) throws SQLException {
        Random random = new Random(seed);
        int committed = 0;
        try (Connection w = db.connect()) {
            w.setAutoCommit(false);
            while (writing.get() || committed < 2) {
                int id = 10_000 * (seed + 1) + random.nextInt(200);
                try {
                    exec(w, "INSERT INTO src VALUES (" + id + ", " + random.nextInt(4) + ", 1) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v + 1",
                            "UPDATE src SET v = " + random.nextInt(4) + " WHERE id = " + (1 + random.nextInt(100)),
                            "DELETE FROM src WHERE id = " + (10_000 * (seed + 1) + random.nextInt(200)),
                            "UPDATE src SET id = id + 1 WHERE id = " + (10_000 * (seed + 1) + random.nextInt(200))
                                    + " AND NOT EXISTS (SELECT 1 FROM src WHERE id = " + (10_000 * (seed + 1) + 500) + ")");
                    if (random.nextInt(5) == 0) {
                        w.rollback();
                    } else {
                        w.commit();
                        committed++;
                    }
                } catch (SQLException e) {
                    w.rollback(); // a deadlock or key clash between writers: that transaction simply did not happen
                }
            }
        }
        return committed;
    }
}
