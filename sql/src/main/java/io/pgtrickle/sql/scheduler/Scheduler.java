package io.pgtrickle.sql.scheduler;

import io.pgtrickle.sql.session.JdbcSession;
import io.pgtrickle.sql.session.Row;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler service the proxy runs (DESIGN §5): it lists the server's databases every
 * {@code discovery} interval and keeps one {@link DatabaseScheduler} per database, which refreshes
 * that database's stream tables when it holds the database's leadership. A database without the
 * pgtrickle catalog costs a connection per discovery interval and nothing else.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

    private final SchedulerSettings settings;
    private final Map<String, DatabaseScheduler> databases = new ConcurrentHashMap<>();
    private final Object wake = new Object();
    private final Thread thread;
    private volatile boolean stopping;

    private Scheduler(SchedulerSettings settings) {
        this.settings = settings;
        this.thread = new Thread(this::discover, "pgtrickle-scheduler");
        this.thread.setDaemon(true);
    }

    /** Starts the service; it finds its databases in the background. */
    public static Scheduler start(SchedulerSettings settings) {
        Scheduler s = new Scheduler(settings);
        s.thread.start();
        return s;
    }

    /** Whether this scheduler leads {@code database} now (it refreshes its stream tables). */
    public boolean leading(String database) {
        DatabaseScheduler d = databases.get(database);
        return d != null && d.leading();
    }

    /** Scheduled refreshes run so far in {@code database}. */
    public long refreshes(String database) {
        DatabaseScheduler d = databases.get(database);
        return d == null ? 0 : d.refreshes();
    }

    /** Passes planned so far as the leader of {@code database} (a test's clock-free measure of time). */
    public long passes(String database) {
        DatabaseScheduler d = databases.get(database);
        return d == null ? 0 : d.passes();
    }

    private void discover() {
        while (!stopping) {
            try {
                Set<String> present = new HashSet<>(listDatabases());
                if (!settings.databases().isEmpty()) {
                    present.retainAll(settings.databases());
                }
                for (String db : present) {
                    databases.computeIfAbsent(db, name -> new DatabaseScheduler(name, settings).start());
                }
                for (String db : Set.copyOf(databases.keySet())) {
                    if (!present.contains(db)) {
                        DatabaseScheduler gone = databases.remove(db);
                        if (gone != null) {
                            gone.stop(Duration.ofSeconds(5));
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!stopping) {
                    LOG.warn("scheduler cannot list the databases through {}: {}; trying again",
                            settings.maintenanceDatabase(), e.getMessage());
                }
            }
            synchronized (wake) {
                if (!stopping) {
                    try {
                        wake.wait(settings.discovery().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    private List<String> listDatabases() throws SQLException {
        try (Connection c = settings.connections().open(settings.maintenanceDatabase())) {
            return new JdbcSession(c).query("SELECT datname FROM pg_catalog.pg_database "
                    + "WHERE datallowconn AND NOT datistemplate AND has_database_privilege(datname, 'CONNECT') "
                    + "ORDER BY datname").stream().map((Row r) -> r.get("datname")).toList();
        }
    }

    /** Stops every database's scheduler (each after its running refreshes), releasing their leadership. */
    @Override
    public void close() {
        stopping = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        try {
            thread.join(2_000); // it may be waiting for a login; it is a daemon and stops after it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Thread> stops = databases.values().stream()
                .map(d -> {
                    Thread t = new Thread(() -> d.stop(Duration.ofSeconds(30)), "pgtrickle-scheduler-stop");
                    t.start();
                    return t;
                }).toList();
        for (Thread t : stops) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        databases.clear();
    }
}
