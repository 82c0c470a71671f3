package io.pgtrickle.sql.scheduler;

import io.pgtrickle.sql.command.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.time.ZonedDateTime;

/**
 * What one scheduler pass refreshes, and in which order: pure, so that it is tested without a
 * database or a clock (docs/architecture.md, decision x).
 *
 * <ul>
 *   <li>A duration schedule is a freshness bound: the table is due when its staleness would reach the
 *       bound before the next pass ({@code staleness + tick >= bound}).</li>
 *   <li>{@code calculated} takes the tightest bound among the stream tables that read it (through
 *       calculated readers too); with no reader that has a bound, 1 second.</li>
 *   <li>A cron schedule is due once its next firing time after the last refresh (or the creation)
 *       has come, in the scheduler's time zone.</li>
 *   <li>A table that never got its rows is due at once. A table whose last refreshes failed waits
 *       {@code tick * 2^errors} (at most {@link #MAX_BACKOFF}) after the last failure.</li>
 * </ul>
 * The due tables are returned in levels: a table comes in a later level than every due stream table
 * it reads, and the tables of one level are independent of each other.
 */
public final class PassPlan {
    /** The bound of a calculated schedule nobody tightens. */
    public static final Duration LEAF_BOUND = Duration.ofSeconds(1);
    /** The longest wait after failures before the next attempt. */
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final Map<Long, Candidate> byId = new HashMap<>();
    private final Map<Long, List<Long>> readers = new HashMap<>();
    private final Map<Long, Optional<Duration>> bounds = new HashMap<>();

    private PassPlan(List<Candidate> candidates) {
        for (Candidate c : candidates) {
            byId.put(c.id(), c);
        }
        for (Candidate c : candidates) {
            for (long up : c.upstream()) {
                readers.computeIfAbsent(up, k -> new ArrayList<>()).add(c.id());
            }
        }
    }

    /** Change-driven refreshes of a table come at most this many times per its freshness bound. */
    public static final int EAGER_SHARE = 10;

    /**
     * A pass: the tables known to be unchanged whose freshness is only {@code confirmed} (the sources
     * had no change since the table's last refresh: decision x), the tables to refresh level by level,
     * and when a change waiting for its table's throttle can be applied (null: none waits).
     */
    public record Pass(List<Candidate> confirmed, List<List<Candidate>> levels, Instant wakeAt) {
    }

    /** The due tables of a pass at {@code now}, level by level, with no change notifications known. */
    public static List<List<Candidate>> plan(List<Candidate> candidates, Instant now, Duration tick, ZoneId zone) {
        return plan(candidates, now, tick, zone, Set.of(), Set.of()).levels();
    }

    /**
     * The pass at {@code now}. {@code changed}: tables whose sources were notified as changed since their
     * last refresh; {@code clean}: tables whose sources certainly have not changed since their last
     * refresh. A changed table with a freshness bound is refreshed at once, unless it was refreshed
     * less than {@code bound / }{@value #EAGER_SHARE} ago; so is a table that reads one refreshed in
     * this pass (one pass carries a change down a chain). A due table that is clean is only confirmed.
     */
    public static Pass plan(List<Candidate> candidates, Instant now, Duration tick, ZoneId zone, Set<Long> changed,
            Set<Long> clean) {
        PassPlan p = new PassPlan(candidates);
        Map<Long, Integer> order = new HashMap<>();
        for (Candidate c : candidates) {
            p.level(c.id(), p.byId.keySet(), order, new HashSet<>());
        }
        List<Candidate> sorted = new ArrayList<>(candidates);
        sorted.sort((a, b) -> order.get(a.id()).equals(order.get(b.id())) ? Long.compare(a.id(), b.id())
                : Integer.compare(order.get(a.id()), order.get(b.id())));
        Set<Long> refresh = new HashSet<>();
        List<Candidate> confirmed = new ArrayList<>();
        Instant wakeAt = null;
        for (Candidate c : sorted) {
            if (!p.allowed(c, now, tick)) {
                continue;
            }
            boolean due = p.due(c, now, tick, zone);
            boolean changes = changed.contains(c.id()) || c.upstream().stream().anyMatch(refresh::contains);
            Instant eagerAt = p.eagerAt(c);
            boolean eager = changes && eagerAt != null && !now.isBefore(eagerAt);
            if (eager) {
                refresh.add(c.id());
            } else if (due) {
                if (!changes && c.populated() && clean.contains(c.id()) && c.schedule().kind() != Schedule.Kind.CRON) {
                    confirmed.add(c);
                } else {
                    refresh.add(c.id());
                }
            } else if (changes && eagerAt != null && (wakeAt == null || eagerAt.isBefore(wakeAt))) {
                wakeAt = eagerAt;
            }
        }
        return new Pass(confirmed, p.levels(refresh), wakeAt);
    }

    /** From when a change may refresh the table ahead of its bound; null for cron (changes wait for it). */
    private Instant eagerAt(Candidate c) {
        if (c.schedule().kind() == Schedule.Kind.CRON) {
            return null;
        }
        if (c.lastRefreshAt() == null) {
            return Instant.MIN;
        }
        return c.lastRefreshAt().plus(bound(c.id()).orElseThrow().dividedBy(EAGER_SHARE));
    }

    /** Schedulable, and not waiting out a back-off after failures. */
    private boolean allowed(Candidate c, Instant now, Duration tick) {
        return c.schedulable() && !(c.consecutiveErrors() > 0 && c.lastFailureAt() != null
                && now.isBefore(c.lastFailureAt().plus(backoff(tick, c.consecutiveErrors()))));
    }

    /** The freshness bound the table is kept within; empty for a cron schedule. */
    Optional<Duration> bound(long id) {
        Optional<Duration> known = bounds.get(id);
        if (known != null) {
            return known;
        }
        bounds.put(id, Optional.empty()); // a cycle (rejected at create, but the catalog is user-writable) ends here
        Candidate c = byId.get(id);
        Optional<Duration> result = switch (c.schedule().kind()) {
            case DURATION -> Optional.of(c.schedule().freshness());
            case CRON -> Optional.empty();
            case CALCULATED -> {
                Duration tightest = null;
                for (long reader : readers.getOrDefault(id, List.of())) {
                    Optional<Duration> b = bound(reader);
                    if (b.isPresent() && (tightest == null || b.get().compareTo(tightest) < 0)) {
                        tightest = b.get();
                    }
                }
                yield Optional.of(tightest != null ? tightest : LEAF_BOUND);
            }
        };
        bounds.put(id, result);
        return result;
    }

    private boolean due(Candidate c, Instant now, Duration tick, ZoneId zone) {
        if (!c.populated() || c.dataTimestamp() == null) {
            return true;
        }
        if (c.schedule().kind() == Schedule.Kind.CRON) {
            Instant since = c.lastRefreshAt() != null ? c.lastRefreshAt() : c.createdAt();
            Optional<ZonedDateTime> next = c.schedule().cron().next(since.atZone(zone));
            return next.isPresent() && !next.get().toInstant().isAfter(now);
        }
        Duration staleness = Duration.between(c.dataTimestamp(), now);
        return staleness.plus(tick).compareTo(bound(c.id()).orElseThrow()) >= 0;
    }

    /** How long after a failure the next attempt waits: the tick doubled per failure, at most {@link #MAX_BACKOFF}. */
    static Duration backoff(Duration tick, int errors) {
        Duration d = tick.multipliedBy(1L << Math.min(errors, 20));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    /** The due tables in dependency levels (Kahn's algorithm over the due ones), each level in id order. */
    private List<List<Candidate>> levels(Set<Long> due) {
        Map<Long, Integer> level = new HashMap<>();
        List<List<Candidate>> levels = new ArrayList<>();
        List<Long> ids = new ArrayList<>(due);
        ids.sort(Long::compare);
        for (long id : ids) {
            int l = level(id, due, level, new HashSet<>());
            while (levels.size() <= l) {
                levels.add(new ArrayList<>());
            }
            levels.get(l).add(byId.get(id));
        }
        levels.forEach(l -> l.sort((a, b) -> Long.compare(a.id(), b.id())));
        return levels;
    }

    private int level(long id, Set<Long> due, Map<Long, Integer> level, Set<Long> visiting) {
        Integer known = level.get(id);
        if (known != null) {
            return known;
        }
        int l = 0;
        if (visiting.add(id)) {
            for (long up : byId.get(id).upstream()) {
                if (due.contains(up) && byId.containsKey(up)) {
                    l = Math.max(l, level(up, due, level, visiting) + 1);
                }
            }
        }
        level.put(id, l);
        return l;
    }
}
