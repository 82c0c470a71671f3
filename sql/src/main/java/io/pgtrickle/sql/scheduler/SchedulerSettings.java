package io.pgtrickle.sql.scheduler;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Set;

/**
 * How the scheduler runs (the proxy's --scheduler-* options).
 *
 * @param connections opens its connections (one per database to hold leadership, and workers)
 * @param maintenanceDatabase the database it lists the others from
 * @param holder who it is, written in the heartbeat (product, host, process, listen address)
 * @param tick how often it looks for due stream tables
 * @param parallelism how many independent stream tables of one database it refreshes at once
 * @param zone the time zone cron schedules are read in
 * @param historyRetention refresh history older than this is deleted (zero: kept)
 * @param discovery how often it looks for new databases, and for stream tables in a database without any
 * @param databases the databases it schedules; empty: every database it may connect to
 * @param revalidate how often a table known unchanged is still refreshed, for what notifications do not
 *     announce (a view it reads replaced, a source altered)
 * @param clockOffset added to the server's clock where a pass reads "now": zero, except for a test of
 *     schedules at given times of day (a test clock)
 */
public record SchedulerSettings(ConnectionFactory connections, String maintenanceDatabase, String holder,
        Duration tick, int parallelism, ZoneId zone, Duration historyRetention, Duration discovery,
        Set<String> databases, Duration revalidate, Duration clockOffset) {

    public static final Duration DEFAULT_TICK = Duration.ofSeconds(1);
    public static final int DEFAULT_PARALLELISM = 4;
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    public static final Duration DEFAULT_DISCOVERY = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REVALIDATE = Duration.ofMinutes(10);

    public SchedulerSettings {
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("tick must be positive");
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        databases = Set.copyOf(databases);
    }

    /** The defaults, UTC for cron. */
    public static SchedulerSettings defaults(ConnectionFactory connections, String maintenanceDatabase, String holder) {
        return new SchedulerSettings(connections, maintenanceDatabase, holder, DEFAULT_TICK, DEFAULT_PARALLELISM,
                ZoneId.of("UTC"), DEFAULT_RETENTION, DEFAULT_DISCOVERY, Set.of(), DEFAULT_REVALIDATE, Duration.ZERO);
    }

    public SchedulerSettings withTick(Duration t) {
        return new SchedulerSettings(connections, maintenanceDatabase, holder, t, parallelism, zone, historyRetention, discovery, databases, revalidate, clockOffset);
    }

    public SchedulerSettings withDiscovery(Duration d) {
        return new SchedulerSettings(connections, maintenanceDatabase, holder, tick, parallelism, zone, historyRetention, d, databases, revalidate, clockOffset);
    }

    public SchedulerSettings withZone(ZoneId z) {
        return new SchedulerSettings(connections, maintenanceDatabase, holder, tick, parallelism, z, historyRetention, discovery, databases, revalidate, clockOffset);
    }

    public SchedulerSettings withParallelism(int n) {
        return new SchedulerSettings(connections, maintenanceDatabase, holder, tick, n, zone, historyRetention, discovery, databases, revalidate, clockOffset);
    }

    public SchedulerSettings withDatabases(Set<String> only) {
        return new SchedulerSettings(connections, maintenanceDatabase, holder, tick, parallelism, zone, historyRetention, discovery, only, revalidate, clockOffset);
    }

    public SchedulerSettings withRetention(Duration r) {
        return new SchedulerSettings(connections, maintenanceDatabase, holder, tick, parallelism, zone, r, discovery, databases, revalidate, clockOffset);
    }

    public SchedulerSettings withRevalidate(Duration r) {
        return new SchedulerSettings(connections, maintenanceDatabase, holder, tick, parallelism, zone, historyRetention,
                discovery, databases, r, clockOffset);
    }

    public SchedulerSettings withClockOffset(Duration offset) {
        return new SchedulerSettings(connections, maintenanceDatabase, holder, tick, parallelism, zone, historyRetention,
                discovery, databases, revalidate, offset);
    }

    public SchedulerSettings withHolder(String h) {
        return new SchedulerSettings(connections, maintenanceDatabase, h, tick, parallelism, zone, historyRetention, discovery, databases, revalidate, clockOffset);
    }
}
