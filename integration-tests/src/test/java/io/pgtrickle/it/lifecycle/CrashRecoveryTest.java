package io.pgtrickle.it.lifecycle;

import static io.pgtrickle.it.harness.Sql.exec;
import static io.pgtrickle.it.harness.Sql.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.it.harness.Oracle;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash of PostgreSQL empties the unlogged change buffers (decision w): the changes committed since
 * the last refresh are gone from them. Each stream table that reads such a buffer must notice and
 * recompute, not report "no data" and stay stale. This test crashes a server of its own (immediate
 * shutdown, as after a power loss: crash recovery on the next start) and starts it again on the same
 * data directory.
 */
class CrashRecoveryTest {
    private static final String FILTER = "SELECT id, v FROM t WHERE v % 2 = 0";
    private static final String GROUPS = "SELECT v % 3 AS g, count(*) AS n, sum(v) AS s FROM t GROUP BY v % 3";

    @TempDir
    Path dir;

    @Test
    void everyReaderOfAnEmptiedBufferRecomputesAndThenGoesOnDifferentially() throws Exception {
        Path data = dir.resolve("data");
        EmbeddedPostgres first = start(data);
        String buffer;
        try (Connection c = connect(first)) {
            exec(c, "CREATE TABLE t (id int PRIMARY KEY, v int)",
                    "INSERT INTO t SELECT g, g FROM generate_series(1, 200) g",
                    "SELECT pgtrickle.create_stream_table('evens', '" + FILTER + "', '1m', 'DIFFERENTIAL')",
                    "SELECT pgtrickle.create_stream_table('groups', '" + GROUPS + "', '1m', 'DIFFERENTIAL')");
            buffer = "pgtrickle_changes.changes_" + value(c, "SELECT 't'::regclass::oid");
            exec(c, "INSERT INTO t SELECT g, g FROM generate_series(201, 260) g",
                    "UPDATE t SET v = v + 1 WHERE id <= 40",
                    "UPDATE t SET id = id + 1000 WHERE id BETWEEN 41 AND 50",
                    "DELETE FROM t WHERE id BETWEEN 100 AND 130");
            assertThat(Long.parseLong(value(c, "SELECT count(*) FROM " + buffer))).isPositive();
        }
        crash(first, data);

        EmbeddedPostgres second = start(data);
        try (Connection c = connect(second)) {
            assertThat(value(c, "SELECT count(*) FROM " + buffer)).as("the crash emptied the buffer").isEqualTo("0");
            refreshBoth(c, "FULL: the change buffer of public.t was emptied");

            exec(c, "UPDATE t SET v = v * 3 WHERE id % 7 = 0", "DELETE FROM t WHERE id % 11 = 0",
                    "INSERT INTO t VALUES (5000, NULL), (5001, 4)");
            refreshBoth(c, "DIFFERENTIAL: ");
        } finally {
            second.close();
        }
    }

    /** Refreshes both stream tables, checks how (action: reason) and checks each against its query. */
    private static void refreshBoth(Connection c, String expected) throws SQLException {
        for (String st : new String[] {"evens", "groups"}) {
            exec(c, "SELECT pgtrickle.refresh_stream_table('" + st + "')");
            assertThat(value(c, "SELECT action || ': ' || coalesce(reason, '') FROM pgtrickle.get_refresh_history('"
                    + st + "', 1)")).as(st).startsWith(expected);
        }
        Oracle.assertStreamTableMatches(c, "evens", FILTER);
        Oracle.assertStreamTableMatches(c, "groups", GROUPS);
    }

    private static EmbeddedPostgres start(Path data) throws IOException {
        // embedded servers commit asynchronously by default: the last commits before a crash could be lost
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
                .setServerConfig("synchronous_commit", "on")
                .setPGStartupWait(Duration.ofSeconds(60)).start();
    }

    private static Connection connect(EmbeddedPostgres pg) throws SQLException {
        return DriverManager.getConnection("jdbc:pgtrickle:postgresql://localhost:" + pg.getPort() + "/postgres",
                "postgres", "");
    }

    /** Immediate shutdown (SIGQUIT to the postmaster): no checkpoint, crash recovery on the next start. */
    private static void crash(EmbeddedPostgres pg, Path data) throws Exception {
        long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        Process kill = new ProcessBuilder("kill", "-QUIT", String.valueOf(pid)).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        ProcessHandle postmaster = ProcessHandle.of(pid).orElse(null);
        if (postmaster != null) {
            postmaster.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        try {
            pg.close(); // releases the data directory's lock; stopping a stopped server only logs
        } catch (IOException | RuntimeException stopped) {
            // the server is gone already
        }
    }
}
