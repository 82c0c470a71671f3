package io.pgtrickle.sql.scheduler;

import io.pgtrickle.sql.command.QualifiedName;
import io.pgtrickle.sql.command.Schedule;
import io.pgtrickle.sql.engine.Channels;
import io.pgtrickle.sql.session.JdbcSession;
import io.pgtrickle.sql.session.Row;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler of one database (DESIGN §5). It holds leadership with a session advisory lock on a
 * connection of its own (so of several schedulers on one database exactly one refreshes, and another
 * takes over when that connection ends), writes the heartbeat row, and each tick refreshes the due
 * stream tables ({@link PassPlan}) level by level, the tables of a level in parallel on worker
 * connections, each as its owner (SET ROLE) through the engine's refresh path, recorded as SCHEDULER.
 */
final class DatabaseScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseScheduler.class);
    /** The advisory lock key of scheduler leadership in a database ("pgtsched"). */
    static final long LEADER_LOCK = 0x7067747363686564L;
    /** The heartbeat is written at least this often; quick_health trusts it for 10 seconds. */
    static final Duration HEARTBEAT = Duration.ofSeconds(2);
    private static final Duration PRUNE = Duration.ofHours(1);
    /**
     * How often a database without the catalog is looked at again (one short connection each time), so
     * that its first stream table is scheduled within seconds.
     */
    static final Duration CATALOG_RECHECK = Duration.ofSeconds(2);
    /** A statement on the leader connection (catalog reads, heartbeat) that takes longer means it is lost. */
    private static final Duration LEADER_NETWORK_TIMEOUT = Duration.ofSeconds(60);
    /** The longest a wait for notifications blocks before it looks at {@code stopping} again. */
    private static final long WAIT_SLICE_MILLIS = 200;

    private final String database;
    private final SchedulerSettings settings;
    private final Object wake = new Object();
    private final Thread thread;
    private final Workers workers;
    private final java.util.concurrent.atomic.AtomicLong passes = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean stopping;
    private volatile boolean leading;
    /** A pass left tables out because a refresh they wait for was running: its end starts a pass. */
    private volatile boolean deferred;
    /** A unit finished while {@link #deferred}: the wait for the next pass ends. */
    private volatile boolean finishedDeferring;
    /** Buffers notified since the last pass. */
    private final Set<String> notifiedBuffers = new HashSet<>();
    /** Tables with notified changes not yet refreshed. */
    private final Set<Long> pending = ConcurrentHashMap.newKeySet();
    /** Tables whose sources have not changed since their last refresh (no notification since it started). */
    private final Set<Long> clean = ConcurrentHashMap.newKeySet();
    /** When each table was last really refreshed by this leader (clean is trusted for the settings' revalidate). */
    private final Map<Long, Instant> lastReal = new HashMap<>();
    private Connection leader;
    private Instant startedLeading;
    private Instant nextEager;
    private List<Long> lastConfirmed = List.of();
    private Instant lastBeat = Instant.EPOCH;
    private Instant lastPrune = Instant.EPOCH;

    DatabaseScheduler(String database, SchedulerSettings settings) {
        this.database = database;
        this.settings = settings;
        this.workers = new Workers(database, settings.connections(), settings.parallelism(), pending, clean);
        this.thread = new Thread(this::run, "pgtrickle-scheduler-" + database);
        this.thread.setDaemon(true);
    }

    DatabaseScheduler start() {
        thread.start();
        return this;
    }

    String database() {
        return database;
    }

    /** Whether this scheduler holds its database's leadership now. */
    boolean leading() {
        return leading;
    }

    /** Refreshes this scheduler has run (successful or not). */
    long refreshes() {
        return workers.refreshes();
    }

    /** Passes this scheduler has planned as leader (their refreshes may still run). */
    long passes() {
        return passes.get();
    }

    private void run() {
        while (!stopping) {
            Duration pause;
            try {
                pause = step();
            } catch (SQLException | RuntimeException e) {
                if (!stopping) {
                    LOG.warn("scheduler of database {}: {}; trying again", database, e.getMessage());
                    LOG.debug("scheduler failure", e);
                }
                resign();
                pause = settings.tick();
            }
            try {
                await(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try { // the refreshes under way finish (the caller of stop waits a bounded time) before leadership ends
            workers.awaitIdle(Duration.ofMinutes(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        resign();
        workers.closeIdle();
    }

    /**
     * Waits {@code pause}, or less when a change is notified: as leader, for notifications on its
     * connection; otherwise on the monitor {@link #stop} signals.
     */
    private void await(Duration pause) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(1, pause.toMillis()) * 1_000_000L;
        while (!stopping) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0 || finishedDeferring) {
                finishedDeferring = false;
                return;
            }
            if (leading && leader != null) {
                try {
                    if (collect(leader.unwrap(PGConnection.class).getNotifications((int) Math.min(left, WAIT_SLICE_MILLIS)))) {
                        return;
                    }
                } catch (SQLException e) {
                    return; // the next step finds the connection broken and resigns
                }
            } else {
                synchronized (wake) {
                    if (!stopping) {
                        wake.wait(Math.min(left, WAIT_SLICE_MILLIS));
                    }
                }
            }
        }
    }

    /** Adds notified buffers; whether there were any. */
    private boolean collect(PGNotification[] notifications) {
        if (notifications == null || notifications.length == 0) {
            return false;
        }
        for (PGNotification n : notifications) {
            if (Channels.CHANGES.equals(n.getName())) {
                notifiedBuffers.add(n.getParameter());
            }
        }
        return true;
    }

    /** One turn: take or keep leadership, beat, and run a pass; returns how long to wait for the next. */
    private Duration step() throws SQLException {
        if (leader == null) {
            leader = ConnectionFactory.held(settings.connections(), database, LEADER_NETWORK_TIMEOUT);
            if (new JdbcSession(leader).queryOne("SELECT to_regclass('pgtrickle.pgt_stream_tables') IS NOT NULL "
                    + "AND to_regclass('pgtrickle.pgt_scheduler_heartbeat') IS NOT NULL AS catalog").getBoolean("catalog")) {
                LOG.debug("database {} has stream tables", database);
            } else { // nothing to schedule here: hold no connection, which would block DROP DATABASE
                resign();
                return CATALOG_RECHECK.compareTo(settings.discovery()) < 0 ? CATALOG_RECHECK : settings.discovery();
            }
        }
        JdbcSession session = new JdbcSession(leader);
        if (!leading) {
            if (!session.queryOne("SELECT pg_catalog.pg_try_advisory_lock(?) AS got", LEADER_LOCK).getBoolean("got")) {
                return settings.tick(); // another scheduler leads: stand by
            }
            leading = true;
            startedLeading = Instant.now();
            session.script("LISTEN " + Channels.CHANGES); // before the first pass: no change is missed after it
            clean.clear();
            pending.clear();
            lastReal.clear();
            notifiedBuffers.clear();
            lastBeat = Instant.EPOCH;
            lastConfirmed = List.of();
            LOG.info("scheduling stream tables of database {}", database);
            recordInterrupted(session);
        }
        Instant now = Instant.now();
        if (Duration.between(lastBeat, now).compareTo(HEARTBEAT) >= 0) {
            session.update("INSERT INTO pgtrickle.pgt_scheduler_heartbeat (database_name, holder, started_at, last_beat_at, "
                    + "running, running_at) VALUES (current_database(), ?, ?::timestamptz, now(), ?::bigint[], clock_timestamp()) "
                    + "ON CONFLICT (database_name) DO UPDATE SET holder = EXCLUDED.holder, started_at = EXCLUDED.started_at, "
                    + "last_beat_at = now(), running = EXCLUDED.running, running_at = EXCLUDED.running_at",
                    settings.holder(), startedLeading.toString(), idArray(workers.inFlight()));
            lastBeat = now;
        }
        if (!settings.historyRetention().isZero() && Duration.between(lastPrune, now).compareTo(PRUNE) >= 0) {
            long pruned = session.update("DELETE FROM pgtrickle.pgt_refresh_history WHERE status <> 'RUNNING' "
                    + "AND start_time < now() - ?::bigint * interval '1 second'", settings.historyRetention().toSeconds());
            if (pruned > 0) {
                LOG.info("pruned {} refresh history rows of database {}", pruned, database);
            }
            lastPrune = now;
        }
        Instant passStart = Instant.now();
        nextEager = null;
        pass(session);
        passes.incrementAndGet();
        Instant end = Instant.now();
        Duration spent = Duration.between(passStart, end);
        Duration pause = spent.compareTo(settings.tick()) >= 0 ? Duration.ofMillis(1) : settings.tick().minus(spent);
        if (nextEager != null) { // a change waits for its table's throttle (server clock: close enough to ours)
            Duration untilEager = Duration.between(end, nextEager);
            pause = untilEager.compareTo(pause) < 0 ? (untilEager.isNegative() ? Duration.ofMillis(1) : untilEager) : pause;
        }
        return pause;
    }

    /**
     * A refresh is one transaction, so one that was running when its scheduler died was rolled back and
     * left no history row: each table the previous leader's heartbeat listed as running, with no
     * history row that ended after that list was written, gets a FAILED row saying so (it does not
     * count as one of the table's errors: nothing is wrong with the table). The next pass refreshes it.
     */
    private void recordInterrupted(JdbcSession session) throws SQLException {
        long interrupted = session.update("INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, start_time, end_time, action, "
                + "status, initiated_by, error_message) SELECT s.pgt_id, hb.running_at, clock_timestamp(), "
                + "CASE WHEN s.effective_refresh_mode = 'DIFFERENTIAL' THEN 'DIFFERENTIAL' ELSE 'FULL' END, 'FAILED', 'SCHEDULER', "
                + "'the scheduler running this refresh (' || hb.holder || ') stopped before it committed; the refresh was "
                + "rolled back' FROM pgtrickle.pgt_scheduler_heartbeat hb CROSS JOIN LATERAL unnest(hb.running) AS r(id) "
                + "JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = r.id WHERE hb.database_name = current_database() "
                + "AND hb.running_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_refresh_history h "
                + "WHERE h.pgt_id = r.id AND h.end_time >= hb.running_at)");
        if (interrupted > 0) {
            LOG.warn("{} refreshes in database {} were interrupted when the previous scheduler stopped; they run again",
                    interrupted, database);
        }
    }

    /** Reads the catalog, plans the pass and runs it. */
    private void pass(JdbcSession session) throws SQLException {
        // one scan of each catalog table, hash-joined (correlated subqueries per stream table cost 20 ms at 500)
        List<Row> rows = session.query("WITH notifying AS MATERIALIZED (SELECT 'changes_' || substr(p.proname, 9) AS buffer "
                + "FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'pgtrickle_changes'::regnamespace "
                + "AND p.prosrc LIKE '%pg_notify%'), "
                + "deps AS (SELECT d.pgt_id, "
                + "string_agg(u.pgt_id::text, ',') AS upstream, string_agg(b.buffer_table, ',') AS buffers, "
                + "bool_and(n.buffer IS NOT NULL) AS notified, "
                + "string_agg(d.source_relid::oid::text, ',') FILTER (WHERE u.pgt_id IS NULL) AS plain, "
                + "bool_or(pc.oid IS NULL) AS source_missing "
                + "FROM pgtrickle.pgt_dependencies d "
                + "LEFT JOIN pg_catalog.pg_class pc ON pc.oid = d.source_relid::oid "
                + "LEFT JOIN pgtrickle.pgt_stream_tables u ON u.pgt_relid = d.source_relid "
                + "LEFT JOIN pgtrickle.pgt_change_buffers b ON b.source_relid = d.source_relid "
                + "LEFT JOIN notifying n ON n.buffer = b.buffer_table "
                + "GROUP BY d.pgt_id) "
                + "SELECT s.pgt_id, s.pgt_schema, s.pgt_name, r.rolname AS owner, s.schedule, "
                + "s.status IN ('ACTIVE', 'INITIALIZING') AND s.effective_refresh_mode <> 'IMMEDIATE' AS schedulable, "
                + "s.is_populated, " + micros("s.data_timestamp") + " AS data_timestamp, " + micros("s.last_refresh_at")
                + " AS last_refresh_at, " + micros("s.created_at") + " AS created_at, s.consecutive_errors, "
                + micros("CASE WHEN s.consecutive_errors > 0 THEN (SELECT max(h.end_time) FROM pgtrickle.pgt_refresh_history h "
                + "WHERE h.pgt_id = s.pgt_id AND h.status = 'FAILED') END") + " AS last_failure, "
                + "deps.upstream, deps.buffers, coalesce(deps.notified, true) AS notified, deps.plain, "
                + "coalesce(deps.source_missing, false) AS source_missing, "
                + "s.diamond_consistency IS DISTINCT FROM 'none' AS atomic, coalesce(s.diamond_schedule_policy = 'slowest', false) AS slowest, "
                + micros("clock_timestamp()") + " AS now "
                + "FROM pgtrickle.pgt_stream_tables s JOIN pg_catalog.pg_class c ON c.oid = s.pgt_relid "
                + "JOIN pg_catalog.pg_roles r ON r.oid = c.relowner LEFT JOIN deps ON deps.pgt_id = s.pgt_id");
        if (rows.isEmpty()) {
            return;
        }
        List<Candidate> candidates = new ArrayList<>(rows.size());
        Set<Long> sourceGone = new HashSet<>();
        for (Row r : rows) {
            if (r.getBoolean("source_missing")) { // a DROP notifies nothing: the refresh says what is wrong (ERROR)
                sourceGone.add(r.getLong("pgt_id"));
            }
            Schedule schedule;
            try {
                schedule = Schedule.parse(r.get("schedule"));
            } catch (RuntimeException e) { // written by hand into the catalog: not ours to guess
                LOG.warn("stream table {}.{} has an invalid schedule \"{}\": not scheduled", r.get("pgt_schema"),
                        r.get("pgt_name"), r.get("schedule"));
                continue;
            }
            candidates.add(new Candidate(r.getLong("pgt_id"), new QualifiedName(r.get("pgt_schema"), r.get("pgt_name")),
                    r.get("owner"), schedule, r.getBoolean("schedulable"), r.getBoolean("is_populated"),
                    instant(r.get("data_timestamp")), instant(r.get("last_refresh_at")), instant(r.get("created_at")),
                    Integer.parseInt(r.get("consecutive_errors")), instant(r.get("last_failure")),
                    ids(r.get("upstream")),
                    r.get("buffers") == null ? List.of() : List.of(r.get("buffers").split(",")), r.getBoolean("notified"),
                    ids(r.get("plain")), r.getBoolean("atomic"), r.getBoolean("slowest")));
        }
        // every change committed before the query above ended has been notified by now (a backend sends
        // what it was signalled before its ReadyForQuery), so what is not notified did not change before "now"
        collect(leader.unwrap(PGConnection.class).getNotifications());
        Instant now = instant(rows.get(0).get("now")).plus(settings.clockOffset());
        for (Candidate c : candidates) {
            if (c.buffers().stream().anyMatch(notifiedBuffers::contains)) {
                pending.add(c.id());
                clean.remove(c.id());
            }
            Instant real = lastReal.get(c.id());
            if (real == null) { // changes committed before this leader listened were not notified to it
                pending.add(c.id());
            }
            if (sourceGone.contains(c.id())) {
                pending.add(c.id());
            }
            if (!c.notified() || real == null || sourceGone.contains(c.id())
                    || Duration.between(real, now).compareTo(settings.revalidate()) > 0) {
                clean.remove(c.id());
            }
        }
        notifiedBuffers.clear();
        Set<Long> present = candidates.stream().map(Candidate::id).collect(java.util.stream.Collectors.toSet());
        pending.retainAll(present); // dropped tables are forgotten: a leader runs for months
        clean.retainAll(present);
        lastReal.keySet().retainAll(present);
        PassPlan.Pass plan = PassPlan.plan(candidates, now, settings.tick(), settings.zone(), pending, clean);
        // unchanged: fresh as of now without a refresh, listed in the heartbeat (decision x)
        Set<Long> waiting = blockedBy(workers.inFlight(), candidates);
        List<Long> confirmed = plan.confirmed().stream().map(Candidate::id).filter(id -> !waiting.contains(id)).sorted()
                .toList();
        if (!confirmed.equals(lastConfirmed) || !confirmed.isEmpty()) {
            session.update("UPDATE pgtrickle.pgt_scheduler_heartbeat SET confirmed_at = to_timestamp(?::float8 / 1e6), "
                    + "confirmed = ?::bigint[] WHERE database_name = current_database()", micros(now),
                    "{" + String.join(",", confirmed.stream().map(String::valueOf).toList()) + "}");
            lastConfirmed = confirmed;
        }
        // tables whose refresh runs still, and the tables that read them: left to a pass after it ends
        Set<Long> blocked = blockedBy(workers.inFlight(), candidates);
        List<List<PassPlan.Unit>> levels = new ArrayList<>();
        Set<Long> starting = new HashSet<>();
        boolean leftOut = false;
        for (List<PassPlan.Unit> level : plan.levels()) {
            List<PassPlan.Unit> kept = new ArrayList<>();
            for (PassPlan.Unit u : level) {
                if (u.tables().stream().anyMatch(c -> blocked.contains(c.id()))) {
                    leftOut = true;
                    continue;
                }
                kept.add(u);
                for (Candidate c : u.tables()) {
                    starting.add(c.id());
                    pending.remove(c.id());
                    lastReal.put(c.id(), now);
                    if (c.notified()) {
                        clean.add(c.id()); // changes notified from now on take it out again
                    }
                }
            }
            if (!kept.isEmpty()) {
                levels.add(kept);
            }
        }
        deferred = leftOut;
        if (!levels.isEmpty() && !stopping) {
            // written before they start: a new leader after a crash tells which of them never committed
            Set<Long> running = new HashSet<>(workers.inFlight());
            running.addAll(starting);
            session.update("UPDATE pgtrickle.pgt_scheduler_heartbeat SET running = ?::bigint[], running_at = clock_timestamp() "
                    + "WHERE database_name = current_database()", idArray(running));
            workers.submit(levels, () -> {
                if (deferred) {
                    finishedDeferring = true;
                }
            });
        }
        nextEager = plan.wakeAt();
    }

    /** The tables in {@code running} and every table that reads one of them, directly or not. */
    static Set<Long> blockedBy(Set<Long> running, List<Candidate> candidates) {
        Set<Long> blocked = new HashSet<>(running);
        if (running.isEmpty()) {
            return blocked;
        }
        for (boolean grew = true; grew; ) {
            grew = false;
            for (Candidate c : candidates) {
                if (!blocked.contains(c.id()) && c.upstream().stream().anyMatch(blocked::contains)) {
                    blocked.add(c.id());
                    grew = true;
                }
            }
        }
        return blocked;
    }

    private static String idArray(java.util.Collection<Long> ids) {
        return "{" + String.join(",", ids.stream().sorted().map(String::valueOf).toList()) + "}";
    }

    /** A comma-separated list of ids (null: none). */
    private static List<Long> ids(String list) {
        return list == null ? List.of() : Arrays.stream(list.split(",")).map(Long::valueOf).toList();
    }

    /** A timestamptz as microseconds since 1970 (no time zone or format to parse). */
    private static String micros(String timestamptz) {
        return "(extract(epoch FROM " + timestamptz + ") * 1000000)::int8";
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000L;
    }

    private static Instant instant(String micros) {
        if (micros == null) {
            return null;
        }
        long us = Long.parseLong(micros);
        return Instant.ofEpochSecond(Math.floorDiv(us, 1_000_000L), Math.floorMod(us, 1_000_000L) * 1000L);
    }

    /** Gives up leadership: the leader connection closes, which releases the advisory lock. */
    private void resign() {
        if (leader != null) {
            if (leading) {
                try {
                    new JdbcSession(leader).update("DELETE FROM pgtrickle.pgt_scheduler_heartbeat "
                            + "WHERE database_name = current_database() AND holder = ?", settings.holder());
                } catch (SQLException | RuntimeException e) {
                    LOG.debug("heartbeat not removed", e);
                }
                LOG.info("stopped scheduling database {}", database);
            }
            Workers.closeQuietly(leader);
        }
        leader = null;
        leading = false;
    }

    /** Stops after the refreshes running now (waiting at most {@code limit}), and gives up leadership. */
    void stop(Duration limit) {
        stopping = true;
        workers.stopping();
        synchronized (wake) {
            wake.notifyAll();
        }
        try {
            thread.join(limit.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.close();
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }
}
