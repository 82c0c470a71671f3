package io.pgtrickle.sql.scheduler;

import io.pgtrickle.sql.command.RefreshStreamTable;
import io.pgtrickle.sql.engine.Engine;
import io.pgtrickle.sql.session.JdbcSession;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refreshing side of one database's scheduler: a pool of worker threads, each with a connection of
 * its own, that runs the units of a pass ({@link PassPlan.Unit}) through the engine's refresh
 * path, each table as its owner (SET ROLE). A table refreshes in a transaction of its own; an atomic
 * diamond group in one REPEATABLE READ transaction, so that all its tables read their sources as of one
 * snapshot and are seen changed together (docs/architecture.md, decision y).
 */
final class Workers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Workers.class);
    /** serialization_failure: in REPEATABLE READ, a table another session refreshed after our snapshot. */
    private static final String SERIALIZATION_FAILURE = "40001";

    private final String database;
    private final ConnectionFactory connections;
    private final Engine engine = new Engine();
    private final ExecutorService pool;
    private final BlockingQueue<Connection> idle;
    private final AtomicLong refreshes = new AtomicLong();
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    /** Tables with changes not yet applied: a table left for the next pass goes back here. */
    private final Set<Long> pending;
    /** Tables known unchanged since their last refresh: a failed or skipped one leaves it. */
    private final Set<Long> clean;
    private volatile boolean stopping;

    Workers(String database, ConnectionFactory connections, int parallelism, Set<Long> pending, Set<Long> clean) {
        this.database = database;
        this.connections = connections;
        this.pending = pending;
        this.clean = clean;
        this.pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "pgtrickle-refresh-" + database);
            t.setDaemon(true);
            return t;
        });
        this.idle = new ArrayBlockingQueue<>(parallelism);
    }

    /** Refreshes run (successful or not). */
    long refreshes() {
        return refreshes.get();
    }

    /** The tables of units submitted and not finished yet (the scheduler plans around them). */
    Set<Long> inFlight() {
        return inFlight;
    }

    /**
     * Starts the units of a pass and returns at once: a unit starts when the units of this pass it reads
     * from (through its tables' upstream stream tables) have finished, so each chain runs upstream first,
     * and up to the pool's parallelism run at once. A slow refresh holds up only the tables that read
     * it: the scheduler's loop goes on (heartbeat, notifications, other tables' passes) meanwhile.
     * {@code finished} runs after each unit.
     */
    void submit(List<List<PassPlan.Unit>> levels, Runnable finished) {
        Map<Long, CompletableFuture<Void>> byTable = new HashMap<>();
        for (List<PassPlan.Unit> level : levels) {
            for (PassPlan.Unit u : level) {
                List<Long> ids = u.tables().stream().map(Candidate::id).toList();
                inFlight.addAll(ids);
                List<CompletableFuture<Void>> before = new ArrayList<>();
                for (Candidate c : u.tables()) {
                    for (long up : c.upstream()) {
                        CompletableFuture<Void> f = byTable.get(up);
                        if (f != null && !ids.contains(up)) {
                            before.add(f);
                        }
                    }
                }
                CompletableFuture<Void> done = CompletableFuture.allOf(before.toArray(CompletableFuture[]::new))
                        .handle((ok, failed) -> null) // a failed upstream refresh still lets its readers run
                        .thenRunAsync(() -> run(u), pool)
                        .whenComplete((ok, failed) -> {
                            if (failed != null && !stopping) {
                                LOG.warn("refresh failed unexpectedly", failed);
                            }
                            ids.forEach(inFlight::remove);
                            finished.run();
                        });
                ids.forEach(id -> byTable.put(id, done));
            }
        }
    }

    /** Waits until no submitted unit runs or waits any more, at most {@code limit}; whether none does. */
    boolean awaitIdle(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!inFlight.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Math.min(20, Math.max(1, left / 1_000_000L)));
        }
        return true;
    }

    private void run(PassPlan.Unit unit) {
        if (stopping) {
            return;
        }
        Connection worker = idle.poll();
        try {
            if (worker == null) {
                worker = ConnectionFactory.held(connections, database, java.time.Duration.ZERO);
            }
            JdbcSession session = new JdbcSession(worker);
            if (unit.group()) {
                group(session, unit.tables());
            } else {
                single(session, unit.tables().get(0));
            }
            release(worker);
        } catch (SQLException | RuntimeException e) { // the connection broke: nothing the engine could record
            unit.tables().forEach(c -> clean.remove(c.id()));
            LOG.warn("cannot refresh {} in database {}: {}", names(unit.tables()), database, e.getMessage());
            closeQuietly(worker);
        }
    }

    /** One table in a transaction of its own. */
    private void single(JdbcSession session, Candidate c) throws SQLException {
        // one round trip: become the owner, unless another session holds the table (a manual refresh
        // or an alter), which is left to the next pass so that it does not hold up this one
        boolean free;
        try {
            free = !session.query("SELECT pg_catalog.set_config('role', ?, false) FROM pgtrickle.pgt_stream_tables "
                    + "WHERE pgt_id = ? FOR UPDATE SKIP LOCKED", c.owner(), c.id()).isEmpty();
        } catch (SQLException e) { // the scheduler's role is not a member of the owner's: the owner must see why
            LOG.warn("cannot refresh {} as its owner {}: {}", c.table(), c.owner(), e.getMessage());
            clean.remove(c.id());
            engine.recordScheduledFailure(session, c.id(), e);
            refreshes.incrementAndGet();
            return;
        }
        if (!free) {
            later(List.of(c), "is being refreshed elsewhere");
            return;
        }
        try {
            engine.run(session, new RefreshStreamTable(c.table(), true));
        } catch (SQLException | RuntimeException e) {
            clean.remove(c.id());
            // the engine recorded it (history, error count, suspension, alert)
            LOG.info("scheduled refresh of {} failed: {}", c.table(), e.getMessage());
        } finally {
            refreshes.incrementAndGet();
            session.script("RESET ROLE");
        }
    }

    /**
     * A diamond group, in dependency order, in one REPEATABLE READ transaction: one snapshot for every
     * table's window and new frontier, one commit for all. When one table fails, the whole group is
     * rolled back and that table's failure recorded; the others wait with it (PassPlan holds a group
     * while one of its tables backs off). Buffers are cleaned up after the commit, in READ COMMITTED.
     */
    private void group(JdbcSession session, List<Candidate> tables) throws SQLException {
        session.script("BEGIN ISOLATION LEVEL REPEATABLE READ");
        Candidate current = null;
        try {
            int locked = session.query("SELECT pgt_id FROM pgtrickle.pgt_stream_tables WHERE pgt_id = ANY (?::bigint[]) "
                    + "FOR UPDATE SKIP LOCKED", ids(tables)).size();
            if (locked < tables.size()) {
                session.script("ROLLBACK");
                later(tables, "are being refreshed elsewhere");
                return;
            }
            for (Candidate c : tables) {
                current = c;
                session.query("SELECT pg_catalog.set_config('role', ?, true)", c.owner());
                engine.run(session, new RefreshStreamTable(c.table(), true));
                refreshes.incrementAndGet();
            }
            session.script("COMMIT");
        } catch (SQLException | RuntimeException e) {
            session.script("ROLLBACK");
            if (e instanceof SQLException s && SERIALIZATION_FAILURE.equals(s.getSQLState())
                    || e instanceof io.pgtrickle.sql.error.PgTrickleException p
                    && SERIALIZATION_FAILURE.equals(p.sqlState().code())) {
                later(tables, "were refreshed elsewhere meanwhile");
                return;
            }
            tables.forEach(c -> clean.remove(c.id()));
            if (current != null) {
                refreshes.incrementAndGet();
                LOG.info("scheduled refresh of {} failed, and with it its diamond group {}: {}", current.table(),
                        names(tables), e.getMessage());
                engine.recordScheduledFailure(session, current.id(), e);
            } else {
                throw e;
            }
            return;
        }
        try {
            engine.cleanUpBuffers(session, tables.stream().map(Candidate::id).toList());
        } catch (SQLException e) { // committed all the same; the next READ COMMITTED refresh of a reader cleans up
            LOG.warn("buffers of diamond group {} not cleaned up: {}", names(tables), e.getMessage());
            session.script("ROLLBACK");
        }
    }

    /** Tables another session holds: left, with their changes, to the next pass. */
    private void later(List<Candidate> tables, String why) {
        LOG.debug("{} {}: next pass", names(tables), why);
        for (Candidate c : tables) {
            clean.remove(c.id());
            pending.add(c.id());
        }
    }

    private static String ids(List<Candidate> tables) {
        return "{" + String.join(",", tables.stream().map(c -> String.valueOf(c.id())).toList()) + "}";
    }

    private static String names(List<Candidate> tables) {
        return String.join(", ", tables.stream().map(c -> c.table().toString()).toList());
    }

    /** Puts a worker connection back for the next refresh, or closes it when enough are idle. */
    private void release(Connection worker) throws SQLException {
        if (!idle.offer(worker)) {
            worker.close();
        }
    }

    /** Stops taking work; running refreshes finish (see {@link #close}). */
    void stopping() {
        stopping = true;
    }

    /** Ends the pool and closes the idle connections. */
    void closeIdle() {
        pool.shutdown();
        Connection c;
        while ((c = idle.poll()) != null) {
            closeQuietly(c);
        }
    }

    @Override
    public void close() {
        stopping = true;
        pool.shutdownNow();
    }

    static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("close", e);
        }
    }
}
