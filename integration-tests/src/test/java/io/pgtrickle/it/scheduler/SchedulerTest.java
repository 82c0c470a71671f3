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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The scheduler refreshes stream tables by itself (DESIGN §5): durations, cron and calculated
 * schedules fire, chains propagate in one pass, failures suspend, and of two schedulers one leads.
 * Each scheduler here is restricted to this class's database.
 */
@PgTest
class SchedulerTest {
    private static final Duration TICK = Duration.ofMillis(100);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final TestDatabase db;
    private final List<Scheduler> started = new ArrayList<>();
    private Connection c;

    SchedulerTest(TestDatabase db) {
        this.db = db;
    }

    @BeforeEach
    void connect() throws SQLException {
        c = db.connectPgtrickle();
        exec(c, "DROP TABLE IF EXISTS src CASCADE", "CREATE TABLE src (id int PRIMARY KEY, g int, v int)",
                "INSERT INTO src SELECT i, i % 3, i FROM generate_series(1, 30) i");
    }

    @AfterEach
    void stop() throws SQLException {
        started.forEach(Scheduler::close);
        started.clear();
        for (String st : io.pgtrickle.it.harness.Sql.rows(c, "SELECT pgt_name FROM pgtrickle.pgt_stream_tables "
                + "ORDER BY pgt_id DESC")) {
            if (value(c, "SELECT count(*) FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '" + st + "'").equals("1")) {
                exec(c, "SELECT pgtrickle.drop_stream_table('" + st + "', cascade => true)");
            }
        }
        c.close();
    }

    private Scheduler start(String holder) {
        return start(holder, TICK);
    }

    private Scheduler start(String holder, Duration tick) {
        return start(holder, tick, db.user());
    }

    private Scheduler start(String holder, Duration tick, String user) {
        return start(holder, tick, user, Duration.ofDays(7));
    }

    private Scheduler start(String holder, Duration tick, String user, Duration retention) {
        ConnectionFactory connections = database -> DriverManager.getConnection("jdbc:postgresql://" + db.host() + ":"
                + db.port() + "/" + database + "?user=" + user + "&ApplicationName=pgtrickle-scheduler");
        Scheduler s = Scheduler.start(SchedulerSettings.defaults(connections, db.name(), holder).withTick(tick)
                .withDiscovery(Duration.ofMillis(200)).withDatabases(Set.of(db.name())).withRetention(retention));
        started.add(s);
        return s;
    }

    private boolean matches(String table, String query) throws SQLException {
        return Oracle.matches(c, table, query);
    }

    @Test
    void aDurationScheduleRefreshesWithoutACallAndTheHeartbeatSaysSo() throws Exception {
        String query = "SELECT g, count(*) AS n, sum(v) AS s FROM src GROUP BY g";
        exec(c, "SELECT pgtrickle.create_stream_table('often', '" + query + "', '1s', 'DIFFERENTIAL')");
        assertThat(value(c, "SELECT scheduler_running FROM pgtrickle.quick_health")).isEqualTo("f");
        start("test scheduler A");
        exec(c, "INSERT INTO src VALUES (100, 1, 100), (101, NULL, 5)", "UPDATE src SET g = 2 WHERE id = 1",
                "DELETE FROM src WHERE id = 2");
        Poll.until(WAIT, "the scheduler applies the changes", () -> matches("often", query));
        assertThat(value(c, "SELECT initiated_by || ' ' || action FROM pgtrickle.pgt_refresh_history h "
                + "JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = 'often' AND h.rows_inserted > 0 "
                + "ORDER BY refresh_id DESC LIMIT 1")).isEqualTo("SCHEDULER DIFFERENTIAL");
        Poll.until(WAIT, "quick_health sees the scheduler",
                () -> value(c, "SELECT scheduler_running FROM pgtrickle.quick_health").equals("t"));
        assertThat(value(c, "SELECT holder FROM pgtrickle.pgt_scheduler_heartbeat WHERE database_name = current_database()"))
                .isEqualTo("test scheduler A");
        // and again, for changes made after it had caught up
        exec(c, "UPDATE src SET v = v * 2 WHERE g = 0");
        Poll.until(WAIT, "the scheduler applies the next changes", () -> matches("often", query));
        started.remove(0).close();
        assertThat(value(c, "SELECT scheduler_running FROM pgtrickle.quick_health")).as("a stopped scheduler says so")
                .isEqualTo("f");
    }

    @Test
    void aCommitWakesTheSchedulerLongBeforeItsTickAndIdleTablesAreConfirmedWithoutRefreshing() throws Exception {
        String query = "SELECT g, sum(v) AS s FROM src GROUP BY g";
        exec(c, "SELECT pgtrickle.create_stream_table('often', '" + query + "', '1s', 'DIFFERENTIAL')");
        start("slow ticks", Duration.ofSeconds(30));
        // the first pass refreshes it (nothing was known about its sources); then it is waiting for a change
        String history = "SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s "
                + "USING (pgt_id) WHERE s.pgt_name = 'often' AND h.initiated_by = 'SCHEDULER'";
        Poll.until(WAIT, "the first scheduled refresh", () -> !value(c, history).equals("0"));
        for (int round = 0; round < 3; round++) {
            exec(c, "UPDATE src SET v = v + 1 WHERE id = " + (round + 1));
            Poll.until(Duration.ofSeconds(10), "the commit's NOTIFY wakes the scheduler (its tick is 30 s)",
                    () -> matches("often", query));
        }
        assertThat(value(c, "SELECT count(*) >= 3 FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s "
                + "USING (pgt_id) WHERE s.pgt_name = 'often' AND h.action = 'DIFFERENTIAL' AND h.initiated_by = 'SCHEDULER'"))
                .isEqualTo("t");

        // idle: a pass confirms its freshness (the heartbeat lists it; the monitoring objects' data_timestamp
        // moves) and writes no history
        started.remove(0).close();
        String slow = value(c, history);
        start("fast ticks", TICK);
        Poll.until(WAIT, "the new leader's first refresh", () -> !value(c, history).equals(slow));
        Poll.until(WAIT, "the new leader confirms it instead of refreshing it", () -> value(c,
                "SELECT coalesce(s.pgt_id = ANY (h.confirmed), false) FROM pgtrickle.pgt_stream_tables s, "
                        + "pgtrickle.pgt_scheduler_heartbeat h WHERE s.pgt_name = 'often'").equals("t"));
        String before = value(c, history);
        String stamp = value(c, "SELECT data_timestamp FROM pgtrickle.pgt_status() WHERE name = 'public.often'");
        for (int i = 0; i < 3; i++) {
            String previous = value(c, "SELECT data_timestamp FROM pgtrickle.pgt_status() WHERE name = 'public.often'");
            Poll.until(WAIT, "data_timestamp is confirmed again", () -> !value(c,
                    "SELECT data_timestamp FROM pgtrickle.pgt_status() WHERE name = 'public.often'").equals(previous));
        }
        assertThat(value(c, history)).as("confirmations are not refreshes").isEqualTo(before);
        assertThat(value(c, "SELECT data_timestamp > '" + stamp + "' FROM pgtrickle.pgt_status() WHERE name = 'public.often'"))
                .isEqualTo("t");
        assertThat(value(c, "SELECT s.pgt_id = ANY (h.confirmed) FROM pgtrickle.pgt_stream_tables s, pgtrickle.pgt_scheduler_heartbeat h "
                + "WHERE s.pgt_name = 'often'")).as("listed as confirmed in the heartbeat").isEqualTo("t");
        assertThat(value(c, "SELECT stale FROM pgtrickle.pg_stat_stream_tables WHERE pgt_name = 'often'")).isEqualTo("f");
        // and a change still gets through
        exec(c, "DELETE FROM src WHERE id = 7");
        Poll.until(WAIT, "the change after idling", () -> matches("often", query));
    }

    @Test
    void aCalculatedChainIsRefreshedUpstreamFirstInOnePass() throws Exception {
        exec(c, "SELECT pgtrickle.create_stream_table('leaf', 'SELECT id, g, v FROM src WHERE v > 3', 'calculated', 'DIFFERENTIAL')",
                "SELECT pgtrickle.create_stream_table('mid', 'SELECT g, sum(v) AS s FROM leaf GROUP BY g', 'calculated', 'DIFFERENTIAL')",
                "SELECT pgtrickle.create_stream_table('top', 'SELECT count(*) AS groups, sum(s) AS total FROM mid', '1s', 'DIFFERENTIAL')");
        String composed = "SELECT count(*) AS groups, sum(s) AS total FROM (SELECT g, sum(v) AS s FROM src WHERE v > 3 GROUP BY g) m";
        start("chain");
        exec(c, "INSERT INTO src VALUES (200, 7, 1000)", "DELETE FROM src WHERE id = 10", "UPDATE src SET g = 5 WHERE id = 20");
        Poll.until(WAIT, "the change reaches the top of the chain", () -> matches("top", composed));
        Oracle.assertStreamTableMatches(c, "leaf", "SELECT id, g, v FROM src WHERE v > 3");
        Oracle.assertStreamTableMatches(c, "mid", "SELECT g, sum(v) AS s FROM leaf GROUP BY g");
        // in the pass that applied the change, each level started after the one it reads had finished
        List<String> order = io.pgtrickle.it.harness.Sql.rows(c, "SELECT s.pgt_name FROM pgtrickle.pgt_refresh_history h "
                + "JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE h.action = 'DIFFERENTIAL' "
                + "AND h.initiated_by = 'SCHEDULER' ORDER BY h.start_time");
        assertThat(order).containsSubsequence("leaf", "mid", "top");
    }

    @Test
    void aCronScheduleWithSecondsFires() throws Exception {
        exec(c, "SELECT pgtrickle.create_stream_table('cron_st', 'SELECT id, v FROM src', '*/1 * * * * *', 'FULL')");
        start("cron");
        exec(c, "INSERT INTO src VALUES (300, 0, 3)");
        Poll.until(WAIT, "the cron schedule fires", () -> matches("cron_st", "SELECT id, v FROM src"));
        assertThat(value(c, "SELECT count(*) > 0 FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s "
                + "USING (pgt_id) WHERE s.pgt_name = 'cron_st' AND h.initiated_by = 'SCHEDULER'")).isEqualTo("t");
    }

    @Test
    void aCronScheduleInItsOwnTimeZoneFiresWhenTheTestClockReachesItsTime() throws Exception {
        exec(c, "SELECT pgtrickle.create_stream_table('at_ten', 'SELECT id, v FROM src', "
                + "'CRON_TZ=Europe/Paris 0 10 * * *', 'FULL')", "INSERT INTO src VALUES (400, 0, 4)");
        // the test clock: 2 s before the next 10:00 in Paris, whatever the time of day is here
        long t0 = System.nanoTime();
        java.time.Instant serverNow = java.time.Instant.ofEpochSecond(0, 1000 * Long.parseLong(value(c,
                "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::int8")));
        java.time.ZonedDateTime paris = serverNow.atZone(java.time.ZoneId.of("Europe/Paris"));
        java.time.ZonedDateTime ten = paris.withHour(10).withMinute(0).withSecond(0).withNano(0);
        if (!ten.isAfter(paris)) {
            ten = ten.plusDays(1);
        }
        Duration offset = Duration.between(serverNow, ten.toInstant().minusSeconds(2));
        ConnectionFactory connections = database -> DriverManager.getConnection("jdbc:postgresql://" + db.host() + ":"
                + db.port() + "/" + database + "?user=" + db.user());
        started.add(Scheduler.start(SchedulerSettings.defaults(connections, db.name(), "test clock").withTick(TICK)
                .withDiscovery(Duration.ofMillis(200)).withDatabases(Set.of(db.name())).withClockOffset(offset)));
        String fired = "SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s "
                + "USING (pgt_id) WHERE s.pgt_name = 'at_ten' AND h.initiated_by = 'SCHEDULER'";
        Poll.until(WAIT, "10:00 in Paris by the test clock", () -> !value(c, fired).equals("0"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not before 10:00 by the test clock (2 s after its start)")
                .isGreaterThanOrEqualTo(Duration.ofMillis(1990));
        assertThat(matches("at_ten", "SELECT id, v FROM src")).isTrue();
        assertThat(value(c, "SELECT schedule FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'at_ten'"))
                .isEqualTo("CRON_TZ=Europe/Paris 0 10 * * *");
    }

    @Test
    void threeFailuresSuspendWithAnAlertAndResumeBringsItBack() throws Exception {
        try (Connection listener = db.connect()) {
            exec(listener, "LISTEN pgtrickle_alert");
            exec(c, "SELECT pgtrickle.create_stream_table('broken', 'SELECT id, 100 / v AS q FROM src', '1s', 'FULL')",
                    "UPDATE src SET v = 0 WHERE id = 5");
            Scheduler failing = start("failing");
            Poll.until(WAIT, "the table is suspended", () -> value(c,
                    "SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'broken'").equals("SUSPENDED"));
            assertThat(value(c, "SELECT consecutive_errors || ' ' || last_error_message FROM pgtrickle.pgt_stream_tables "
                    + "WHERE pgt_name = 'broken'")).isEqualTo("3 division by zero");
            assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s "
                    + "USING (pgt_id) WHERE s.pgt_name = 'broken' AND h.status = 'FAILED' AND h.initiated_by = 'SCHEDULER'"))
                    .isEqualTo("3");
            List<String> alerts = new ArrayList<>();
            Poll.until(WAIT, "the suspension is announced", () -> {
                exec(listener, "SELECT 1");
                PGNotification[] got = listener.unwrap(PGConnection.class).getNotifications();
                for (PGNotification n : got == null ? new PGNotification[0] : got) {
                    alerts.add(n.getParameter());
                }
                return alerts.stream().anyMatch(a -> a.contains("\"suspended\""));
            });
            assertThat(alerts).hasSize(3);
            assertThat(alerts.get(2)).contains("\"stream_table\" : \"public.broken\"", "\"consecutive_errors\" : 3",
                    "\"sqlstate\" : \"22012\"", "\"initiated_by\" : \"SCHEDULER\"");
            // suspended, the scheduler leaves it alone
            String history = "SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s "
                    + "USING (pgt_id) WHERE s.pgt_name = 'broken'";
            String attempts = value(c, history);
            long passes = failing.passes(db.name());
            Poll.until(WAIT, "five more passes", () -> failing.passes(db.name()) >= passes + 5);
            assertThat(value(c, history)).isEqualTo(attempts);
            exec(c, "UPDATE src SET v = 1 WHERE id = 5", "SELECT pgtrickle.resume_stream_table('broken')");
            Poll.until(WAIT, "resumed, it is refreshed again", () -> matches("broken", "SELECT id, 100 / v AS q FROM src"));
            assertThat(value(c, "SELECT status || ' ' || consecutive_errors FROM pgtrickle.pgt_stream_tables "
                    + "WHERE pgt_name = 'broken'")).isEqualTo("ACTIVE 0");
        }
    }

    @Test
    void aScheduledRefreshRunsAsTheStreamTablesOwnerNeverWithTheSchedulersPrivileges() throws Exception {
        exec(c, "DROP ROLE IF EXISTS sched_owner", "CREATE ROLE sched_owner",
                "SELECT pgtrickle.create_stream_table('ticking', 'SELECT id, v FROM src', '1s', 'FULL')",
                "ALTER TABLE ticking OWNER TO sched_owner", "UPDATE src SET v = v + 1 WHERE id = 1");
        start("owner");
        // the scheduler connects as a superuser, but the owner may not read the change buffers: it must fail
        Poll.until(WAIT, "the refresh fails", () -> !value(c,
                "SELECT coalesce(last_error_message, '') FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'ticking'").isEmpty());
        assertThat(value(c, "SELECT last_error_message FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'ticking'"))
                .as("for want of the owner's privilege").isEqualTo("permission denied for schema pgtrickle_changes");
        exec(c, "GRANT SELECT ON src TO sched_owner", "GRANT USAGE ON SCHEMA pgtrickle_changes TO sched_owner",
                "GRANT SELECT, DELETE ON ALL TABLES IN SCHEMA pgtrickle_changes TO sched_owner",
                "SELECT pgtrickle.resume_stream_table('ticking')");
        Poll.until(WAIT, "granted, the owner's refresh succeeds", () -> matches("ticking", "SELECT id, v FROM src"));
        exec(c, "ALTER TABLE ticking OWNER TO " + db.user(), "REVOKE ALL ON ALL TABLES IN SCHEMA pgtrickle_changes FROM sched_owner",
                "REVOKE USAGE ON SCHEMA pgtrickle_changes FROM sched_owner", "REVOKE SELECT ON src FROM sched_owner");
    }

    @Test
    void aSchedulerThatCannotBecomeTheOwnerRecordsWhy() throws Exception {
        exec(c, "DROP ROLE IF EXISTS sched_login", "CREATE ROLE sched_login LOGIN",
                "SELECT pgtrickle.create_stream_table('ticking', 'SELECT id, v FROM src', '1s', 'FULL')");
        start("unprivileged", TICK, "sched_login"); // not a member of the owner's role
        Poll.until(WAIT, "the failed SET ROLE is recorded", () -> value(c,
                "SELECT coalesce(last_error_message, '') FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'ticking'")
                .equals("permission denied to set role \"" + db.user() + "\""));
        assertThat(value(c, "SELECT h.initiated_by || ' ' || h.status FROM pgtrickle.pgt_refresh_history h "
                + "JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = 'ticking' ORDER BY refresh_id DESC LIMIT 1"))
                .isEqualTo("SCHEDULER FAILED");
        started.forEach(Scheduler::close);
        started.clear();
        exec(c, "DROP ROLE sched_login");
    }

    @Test
    void ofTwoSchedulersOneLeadsAndTheOtherTakesOverWhenItStops() throws Exception {
        exec(c, "SELECT pgtrickle.create_stream_table('ticking', 'SELECT g, count(*) AS n FROM src GROUP BY g', '1s', 'DIFFERENTIAL')");
        Scheduler a = start("scheduler A");
        Scheduler b = start("scheduler B");
        Poll.until(WAIT, "one of them leads", () -> a.leading(db.name()) || b.leading(db.name()));
        for (int i = 0; i < 20; i++) {
            assertThat(a.leading(db.name()) && b.leading(db.name())).as("never both").isFalse();
            exec(c, "INSERT INTO src VALUES (" + (1000 + i) + ", " + (i % 4) + ", 1)");
            Thread.sleep(20); // spreads the writes over several passes; asserts nothing about time
        }
        Scheduler leader = a.leading(db.name()) ? a : b;
        Scheduler other = leader == a ? b : a;
        assertThat(other.refreshes(db.name())).as("the standby refreshes nothing").isZero();
        started.remove(leader);
        leader.close();
        Duration takeover = Poll.until(Duration.ofSeconds(10), "the standby takes over", () -> other.leading(db.name()));
        assertThat(takeover).isLessThan(Duration.ofSeconds(10));
        exec(c, "DELETE FROM src WHERE id >= 1000");
        Poll.until(WAIT, "the new leader refreshes", () -> matches("ticking", "SELECT g, count(*) AS n FROM src GROUP BY g"));
        assertThat(value(c, "SELECT holder FROM pgtrickle.pgt_scheduler_heartbeat WHERE database_name = current_database()"))
                .isEqualTo(other == a ? "scheduler A" : "scheduler B");
        // no two refreshes of the table ever overlapped
        assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_refresh_history x JOIN pgtrickle.pgt_refresh_history y "
                + "ON x.pgt_id = y.pgt_id AND x.refresh_id < y.refresh_id AND x.start_time < y.end_time AND y.start_time < x.end_time "
                + "JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = x.pgt_id WHERE s.pgt_name = 'ticking'")).isEqualTo("0");
    }

    @Test
    void aManualRefreshWaitsForTheScheduledOneRunningAndNeverOverlapsIt() throws Exception {
        exec(c, "SELECT pgtrickle.create_stream_table('ticking', 'SELECT id, v FROM src', '1s', 'FULL')",
                "UPDATE src SET v = v + 1 WHERE id = 1"); // a change: the refresh must read src
        try (Connection blocker = db.connect(); Connection manual = db.connectPgtrickle()) {
            // the scheduled refresh will hold the stream table's row lock while it waits to read src
            blocker.setAutoCommit(false);
            exec(blocker, "LOCK TABLE src IN ACCESS EXCLUSIVE MODE");
            start("waits");
            String waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() "
                    + "AND datname = current_database()";
            Poll.until(WAIT, "the scheduled refresh waits for src", () -> value(c, waiting).equals("1"));
            String manualPid = value(manual, "SELECT pg_backend_pid()");
            java.util.concurrent.CompletableFuture<Void> call = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    exec(manual, "SELECT pgtrickle.refresh_stream_table('ticking')");
                } catch (SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            String scheduledPid = value(c, "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    + "AND pid <> pg_backend_pid() AND datname = current_database()");
            // for the scheduled refresh's row lock, not for src (which the blocker holds)
            Poll.until(WAIT, "the manual call waits for the scheduled refresh", () -> value(c,
                    "SELECT pg_blocking_pids(" + manualPid + ")::text").equals("{" + scheduledPid + "}"));
            assertThat(call).isNotDone();
            blocker.commit();
            call.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(value(c, "SELECT string_agg(h.initiated_by, ' ' ORDER BY h.start_time) FROM pgtrickle.pgt_refresh_history h "
                + "JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = 'ticking' AND h.initiated_by <> 'INITIAL'"))
                .as("the scheduled refresh, then the manual one").startsWith("SCHEDULER MANUAL");
        assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_refresh_history x JOIN pgtrickle.pgt_refresh_history y "
                + "ON x.pgt_id = y.pgt_id AND x.refresh_id < y.refresh_id AND x.start_time < y.end_time AND y.start_time < x.end_time "
                + "JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = x.pgt_id WHERE s.pgt_name = 'ticking'")).isEqualTo("0");
        assertThat(matches("ticking", "SELECT id, v FROM src")).isTrue();
    }

    @Test
    void aSlowRefreshHoldsUpNeitherTheHeartbeatNorTheOtherTables() throws Exception {
        exec(c, "DROP TABLE IF EXISTS pacing, slow_src CASCADE", "CREATE TABLE pacing (seconds float8)",
                "INSERT INTO pacing VALUES (0)", "CREATE TABLE slow_src (id int PRIMARY KEY, v int)",
                "INSERT INTO slow_src VALUES (1, 1)",
                "CREATE OR REPLACE FUNCTION paced(v int) RETURNS int LANGUAGE plpgsql VOLATILE AS "
                        + "$f$ BEGIN PERFORM pg_sleep((SELECT seconds FROM pacing)); RETURN v; END $f$",
                "SELECT pgtrickle.create_stream_table('slow_st', 'SELECT id, paced(v) AS v FROM slow_src', '1s', 'FULL')",
                "SELECT pgtrickle.create_stream_table('after_slow', 'SELECT count(*) AS n, sum(v) AS s FROM slow_st', "
                        + "'calculated', 'DIFFERENTIAL')",
                "SELECT pgtrickle.create_stream_table('fast', 'SELECT g, sum(v) AS s FROM src GROUP BY g', '1s', 'DIFFERENTIAL')");
        String fast = "SELECT g, sum(v) AS s FROM src GROUP BY g";
        start("slow and fast");
        Poll.until(WAIT, "both refreshed once", () -> matches("fast", fast) && !value(c,
                "SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) "
                        + "WHERE s.pgt_name = 'slow_st' AND h.initiated_by = 'SCHEDULER'").equals("0"));
        try {
            slowAndFast(fast);
        } finally { // never leave a refresh sleeping, whose row lock would hold up the clean-up
            exec(c, "UPDATE pacing SET seconds = 0", "SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
                    + "WHERE wait_event = 'PgSleep' AND datname = current_database()");
        }
        Poll.until(WAIT, "the slow table catches up", () -> matches("slow_st", "SELECT id, paced(v) AS v FROM slow_src"));
        Poll.until(WAIT, "and its reader after it", () -> value(c, "SELECT n || ' ' || s FROM after_slow").equals("1 2"));
        exec(c, "SELECT pgtrickle.drop_stream_table('after_slow')", "SELECT pgtrickle.drop_stream_table('slow_st')",
                "DROP TABLE pacing, slow_src", "DROP FUNCTION paced(int)");
    }

    private void slowAndFast(String fast) throws Exception {
        exec(c, "UPDATE pacing SET seconds = 600", "UPDATE slow_src SET v = 2");
        String sleeping = "SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()";
        Poll.until(WAIT, "the slow refresh is under way", () -> !io.pgtrickle.it.harness.Sql.rows(c, sleeping).isEmpty());
        String pid = value(c, sleeping);
        String beat = "SELECT last_beat_at FROM pgtrickle.pgt_scheduler_heartbeat WHERE database_name = current_database()";
        String before = value(c, beat);
        for (int round = 0; round < 3; round++) {
            exec(c, "UPDATE src SET v = v + 1 WHERE id = " + (round + 1));
            Poll.until(WAIT, "the other table refreshes while the slow one runs", () -> matches("fast", fast));
        }
        Poll.until(WAIT, "the heartbeat goes on while the slow one runs", () -> !value(c, beat).equals(before));
        assertThat(value(c, "SELECT s.pgt_id = ANY (h.running) FROM pgtrickle.pgt_stream_tables s, "
                + "pgtrickle.pgt_scheduler_heartbeat h WHERE s.pgt_name = 'slow_st' AND h.database_name = current_database()"))
                .as("the heartbeat lists the refresh under way").isEqualTo("t");
        assertThat(value(c, "SELECT scheduler_running FROM pgtrickle.quick_health")).isEqualTo("t");
        assertThat(io.pgtrickle.it.harness.Sql.rows(c, sleeping)).as("all of that while the slow refresh still ran")
                .containsExactly(pid);
        assertThat(value(c, "SELECT n || ' ' || s FROM after_slow")).as("its reader waits for it").isEqualTo("1 1");
        // then the slow refresh is cancelled (a failure, retried)
    }

    @Test
    void aDroppedSourceMakesItsStreamTableErrorWithinAPassNotAtTheNextRevalidation() throws Exception {
        exec(c, "DROP TABLE IF EXISTS doomed CASCADE", "CREATE TABLE doomed (id int PRIMARY KEY, v int)",
                "INSERT INTO doomed VALUES (1, 1)",
                "SELECT pgtrickle.create_stream_table('on_doomed', 'SELECT id, v FROM doomed', '1s', 'DIFFERENTIAL')");
        start("dropped source");
        // idle: confirmed without refreshing, which a DROP (no NOTIFY) would not end before the revalidation
        Poll.until(WAIT, "the table is confirmed as unchanged", () -> value(c, "SELECT coalesce(s.pgt_id = ANY (h.confirmed), false) "
                + "FROM pgtrickle.pgt_stream_tables s, pgtrickle.pgt_scheduler_heartbeat h WHERE s.pgt_name = 'on_doomed'")
                .equals("t"));
        exec(c, "DROP TABLE doomed");
        Poll.until(Duration.ofSeconds(10), "the scheduler finds the source gone", () -> value(c,
                "SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'on_doomed'").equals("ERROR"));
        assertThat(value(c, "SELECT last_error_message FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'on_doomed'"))
                .isEqualTo("source table public.doomed of stream table public.on_doomed no longer exists");
    }

    @Test
    void oneSchedulerServesEachDatabaseThatHasStreamTables() throws Exception {
        String second = db.name() + "_second";
        exec(c, "DROP DATABASE IF EXISTS " + second + " WITH (FORCE)", "CREATE DATABASE " + second);
        ConnectionFactory connections = database -> DriverManager.getConnection("jdbc:postgresql://" + db.host() + ":"
                + db.port() + "/" + database + "?user=" + db.user() + "&ApplicationName=pgtrickle-scheduler");
        Scheduler both = null;
        try (Connection other = DriverManager.getConnection(db.pgtrickleUrl().replace("/" + db.name() + "?", "/" + second + "?"))) {
            exec(other, "CREATE TABLE t2 (id int PRIMARY KEY, v int)",
                    "SELECT pgtrickle.create_stream_table('st2', 'SELECT id, v FROM t2', '1s', 'DIFFERENTIAL')");
            exec(c, "SELECT pgtrickle.create_stream_table('st1', 'SELECT id, v FROM src', '1s', 'DIFFERENTIAL')");
            both = Scheduler.start(SchedulerSettings.defaults(connections, db.name(), "two databases").withTick(TICK)
                    .withDiscovery(Duration.ofMillis(200)).withDatabases(Set.of(db.name(), second)));
            exec(other, "INSERT INTO t2 VALUES (1, 1), (2, 2)");
            exec(c, "UPDATE src SET v = 70 WHERE id = 7");
            Poll.until(WAIT, "both databases' tables are refreshed", () -> Oracle.matches(other, "st2", "SELECT id, v FROM t2")
                    && matches("st1", "SELECT id, v FROM src"));
            assertThat(both.leading(db.name()) && both.leading(second)).as("it leads both").isTrue();
            assertThat(value(other, "SELECT holder FROM pgtrickle.pgt_scheduler_heartbeat")).isEqualTo("two databases");
        } finally {
            if (both != null) {
                both.close(); // its connections would hold up the DROP
            }
            exec(c, "DROP DATABASE IF EXISTS " + second + " WITH (FORCE)");
        }
    }

    @Test
    void historyOlderThanTheRetentionIsPruned() throws Exception {
        exec(c, "SELECT pgtrickle.create_stream_table('ticking', 'SELECT id, v FROM src', '1h', 'FULL')",
                "INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, start_time, end_time, action, status, initiated_by) "
                        + "SELECT pgt_id, now() - d * interval '1 day', now() - d * interval '1 day', 'FULL', 'COMPLETED', 'MANUAL' "
                        + "FROM pgtrickle.pgt_stream_tables, (VALUES (2), (4), (5)) v(d) WHERE pgt_name = 'ticking'");
        String old = "SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE start_time < now() - interval '1 day'";
        assertThat(value(c, old)).isEqualTo("3");
        start("pruning", TICK, db.user(), Duration.ofDays(3));
        Poll.until(WAIT, "the rows older than 3 days are deleted", () -> value(c, old).equals("1"));
        assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE start_time > now() - interval '3 days'"))
                .as("the younger rows stay: the 2 days old one and this table's own").isEqualTo(
                        value(c, "SELECT count(*) FROM pgtrickle.pgt_refresh_history"));
    }
}
