package io.pgtrickle.it.scheduler;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Oracle;
import io.pgtrickle.it.harness.PgTest;
import io.pgtrickle.it.harness.Poll;
import io.pgtrickle.it.harness.TestDatabase;
import io.pgtrickle.sql.scheduler.ConnectionFactory;
import io.pgtrickle.sql.scheduler.Scheduler;
import io.pgtrickle.sql.scheduler.SchedulerSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A diamond over a plain table (src → b, src → c, b + c → d) under a steady stream of writes: with
 * diamond_consistency atomic (the default), b and c always show src as of one snapshot, so d, which
 * joins them, never mixes two moments, and readers of b and c never see one changed without the other
 * (docs/architecture.md, decision y). The control: with diamond_consistency none on d, b and c are
 * refreshed apart, and their frontiers are seen to differ.
 */
@PgTest
class DiamondConsistencyTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String B = "SELECT id % 5 AS k, sum(v) AS s FROM src GROUP BY id % 5";
    private static final String C = "SELECT id % 5 AS k, count(*) AS n, sum(v) AS s FROM src GROUP BY id % 5";
    private static final String D = "SELECT b.k, b.s AS bs, c.s AS cs, c.n FROM b JOIN c ON c.k = b.k";
    /** Whether b and c show src as of one snapshot now, in one statement (so one snapshot of them). */
    private static final String SAME_FRONTIER = "SELECT count(DISTINCT frontier::text) = 1 FROM pgtrickle.pgt_stream_tables "
            + "WHERE pgt_name IN ('b', 'c')";
    private static final String CONSISTENT = "SELECT (SELECT sum(s) FROM b) IS NOT DISTINCT FROM (SELECT sum(s) FROM c) "
            + "AND NOT EXISTS (SELECT 1 FROM d WHERE bs IS DISTINCT FROM cs)";

    private final TestDatabase db;
    private Scheduler scheduler;
    private Connection c;

    DiamondConsistencyTest(TestDatabase db) {
        this.db = db;
    }

    @BeforeEach
    void create() throws SQLException {
        c = db.connectPgtrickle();
        exec(c, "DROP TABLE IF EXISTS src CASCADE", "CREATE TABLE src (id int PRIMARY KEY, v int)",
                "INSERT INTO src SELECT i, i FROM generate_series(1, 50) i",
                "SELECT pgtrickle.create_stream_table('b', '" + B + "', 'calculated', 'DIFFERENTIAL')",
                "SELECT pgtrickle.create_stream_table('c', '" + C + "', 'calculated', 'DIFFERENTIAL')",
                "SELECT pgtrickle.create_stream_table('d', '" + D + "', '1s', 'DIFFERENTIAL')");
        ConnectionFactory connections = database -> DriverManager.getConnection("jdbc:postgresql://" + db.host() + ":"
                + db.port() + "/" + database + "?user=" + db.user() + "&ApplicationName=pgtrickle-scheduler");
        scheduler = Scheduler.start(SchedulerSettings.defaults(connections, db.name(), "diamond test")
                .withTick(Duration.ofMillis(100)).withDiscovery(Duration.ofMillis(200)).withDatabases(Set.of(db.name())));
    }

    @AfterEach
    void drop() throws SQLException {
        scheduler.close();
        exec(c, "SELECT pgtrickle.drop_stream_table('d')", "SELECT pgtrickle.drop_stream_table('c')",
                "SELECT pgtrickle.drop_stream_table('b')", "DROP TABLE src");
        c.close();
    }

    @Test
    void theTablesOfADiamondAlwaysShowItsSourceAsOfOneSnapshot() throws Exception {
        exec(c, "UPDATE src SET v = v + 1 WHERE id = 1");
        Poll.until(WAIT, "b and c refreshed together once", () -> value(c, SAME_FRONTIER).equals("t"));
        String groupRefreshes = "SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s "
                + "USING (pgt_id) WHERE s.pgt_name = 'c' AND h.action = 'DIFFERENTIAL' AND h.initiated_by = 'SCHEDULER'";
        long before = Long.parseLong(value(c, groupRefreshes));
        int samples = 0;
        try (Writer writer = new Writer()) {
            // sample until the group has applied the writer's changes ten times (a deadline, not a duration)
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (Long.parseLong(value(c, groupRefreshes)) - before < 10) {
                assertThat(System.nanoTime()).as("ten refreshes of the group within " + WAIT).isLessThan(deadline);
                assertThat(value(c, SAME_FRONTIER)).as("b and c refreshed as of one snapshot").isEqualTo("t");
                assertThat(value(c, CONSISTENT)).as("b, c and d agree with each other").isEqualTo("t");
                samples++;
            }
            writer.check();
        }
        assertThat(samples).isGreaterThan(10);
        Poll.until(WAIT, "caught up, all three match their queries", () -> Oracle.matches(c, "b", B)
                && Oracle.matches(c, "c", C) && Oracle.matches(c, "d", D));
        String buffer = "SELECT count(*) FROM pgtrickle_changes.changes_" + value(c, "SELECT 'src'::regclass::oid");
        Poll.until(WAIT, "the group's refreshes (REPEATABLE READ) have their buffer cleaned up after them",
                () -> value(c, buffer).equals("0"));
    }

    @Test
    void withoutAtomicConsistencyTheTablesOfADiamondRefreshApart() throws Exception {
        exec(c, "SELECT pgtrickle.alter_stream_table('d', diamond_consistency => 'none')");
        assertThat(value(c, "SELECT diamond_consistency FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'd'"))
                .isEqualTo("none");
        try (Writer writer = new Writer()) {
            Poll.until(WAIT, "b and c seen at different snapshots", () -> value(c, SAME_FRONTIER).equals("f"));
            writer.check();
        }
        Poll.until(WAIT, "caught up", () -> Oracle.matches(c, "b", B) && Oracle.matches(c, "c", C)
                && Oracle.matches(c, "d", D));
    }

    /** Commits one-row updates of src, one after another, until closed. */
    private final class Writer implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final Thread thread;

        Writer() {
            thread = new Thread(() -> {
                try (Connection w = db.connect()) {
                    while (!stop.get()) {
                        exec(w, "UPDATE src SET v = v + 1 WHERE id = " + ThreadLocalRandom.current().nextInt(1, 51));
                    }
                } catch (Exception e) {
                    failure.set(e);
                }
            }, "diamond writer");
            thread.start();
        }

        void check() {
            assertThat(failure.get()).as("the writer's error").isNull();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }
}
