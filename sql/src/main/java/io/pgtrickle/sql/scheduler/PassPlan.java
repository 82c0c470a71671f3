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
 * it reads, and the tables of one level are independent of each other; the tables of an atomic diamond
 * group form one unit, refreshed in one transaction ({@link DiamondGroups}).
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
     * Tables refreshed in one transaction, in this order: one table, or the tables of an atomic diamond
     * group ({@link DiamondGroups}), which must all refresh as of one snapshot.
     */
    public record Unit(List<Candidate> tables) {
        public boolean group() {
            return tables.size() > 1;
        }
    }

    /**
     * A pass: the tables known to be unchanged whose freshness is only {@code confirmed} (the sources
     * had no change since the table's last refresh: decision x), the units to refresh level by level (a
     * unit comes in a later level than every unit it reads from; the units of a level are independent),
     * and when a change waiting for its table's throttle can be applied (null: none waits).
     */
    public record Pass(List<Candidate> confirmed, List<List<Unit>> levels, Instant wakeAt) {
        /** The tables of each level, units flattened. */
        public List<List<Candidate>> tables() {
            return levels.stream().map(l -> l.stream().flatMap(u -> u.tables().stream()).toList()).toList();
        }
    }

    /** The due tables of a pass at {@code now}, level by level, with no change notifications known. */
    public static List<List<Candidate>> plan(List<Candidate> candidates, Instant now, Duration tick, ZoneId zone) {
        return plan(candidates, now, tick, zone, Set.of(), Set.of()).tables();
    }

    /**
     * The pass at {@code now}. {@code changed}: tables whose sources were notified as changed since their
     * last refresh; {@code clean}: tables whose sources certainly have not changed since their last
     * refresh. A changed table with a freshness bound is refreshed at once, unless it was refreshed
     * less than {@code bound / }{@value #EAGER_SHARE} ago; so is a table that reads one refreshed in
     * this pass (one pass carries a change down a chain). A due table that is clean is only confirmed.
     * An atomic diamond group refreshes as a whole when one of its tables is to (policy fastest) or when
     * all are (slowest), and waits while one of its tables waits out a back-off after failures.
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
        DiamondGroups groups = new DiamondGroups(p.byId, p.readers);
        Set<Long> forced = new HashSet<>();
        Set<Long> held = new HashSet<>();
        Selection selection = p.select(sorted, now, tick, zone, changed, clean, forced, held);
        // a group taken or held changes what its readers see: again until nothing changes (the sets only grow)
        for (int round = 0; round < 2 * candidates.size() + 2 && p.settle(groups, selection.refresh(), now, tick, forced, held);
                round++) {
            selection = p.select(sorted, now, tick, zone, changed, clean, forced, held);
        }
        return new Pass(selection.confirmed(), p.units(selection.refresh(), groups, sorted), selection.wakeAt());
    }

    /** What one selection round picked: the tables to refresh, those only confirmed, and the next wake-up. */
    private record Selection(Set<Long> refresh, List<Candidate> confirmed, Instant wakeAt) {
    }

    private Selection select(List<Candidate> sorted, Instant now, Duration tick, ZoneId zone, Set<Long> changed,
            Set<Long> clean, Set<Long> forced, Set<Long> held) {
        Set<Long> refresh = new HashSet<>();
        List<Candidate> confirmed = new ArrayList<>();
        Instant wakeAt = null;
        for (Candidate c : sorted) {
            if (!allowed(c, now, tick) || held.contains(c.id())) {
                continue;
            }
            boolean due = due(c, now, tick, zone);
            boolean changes = changed.contains(c.id()) || c.upstream().stream().anyMatch(refresh::contains);
            Instant eagerAt = eagerAt(c);
            boolean eager = changes && eagerAt != null && !now.isBefore(eagerAt);
            if (eager || forced.contains(c.id())) {
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
        return new Selection(refresh, confirmed, wakeAt);
    }

    /**
     * Applies the diamond groups to a selection: a group one of whose tables is picked is taken whole
     * ({@code forced}), or held back ({@code held}) when a table of it waits out a back-off or, under
     * policy slowest, when not all of it is picked. Whether either set grew.
     */
    private boolean settle(DiamondGroups groups, Set<Long> refresh, Instant now, Duration tick, Set<Long> forced,
            Set<Long> held) {
        boolean grew = false;
        for (Set<Long> group : groups.groups()) {
            if (group.stream().noneMatch(refresh::contains) || held.containsAll(group)) {
                continue;
            }
            List<Candidate> members = group.stream().map(byId::get).toList();
            boolean waiting = members.stream().anyMatch(m -> m.schedulable() && !allowed(m, now, tick));
            boolean all = members.stream().filter(m -> allowed(m, now, tick)).allMatch(m -> refresh.contains(m.id()));
            if (waiting || (groups.slowest(group) && !all)) {
                grew |= held.addAll(group);
            } else {
                for (Candidate m : members) {
                    if (allowed(m, now, tick)) {
                        grew |= forced.add(m.id());
                    }
                }
            }
        }
        return grew;
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
            Optional<ZonedDateTime> next = c.schedule().cron().next(since.atZone(c.schedule().zoneOr(zone)));
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

    /**
     * The tables to refresh as units (one table, or the picked tables of one diamond group in dependency
     * order) in dependency levels, each level in order of its units' first table.
     */
    private List<List<Unit>> units(Set<Long> refresh, DiamondGroups groups, List<Candidate> sorted) {
        Map<Long, List<Candidate>> byKey = new java.util.LinkedHashMap<>();
        for (Candidate c : sorted) {
            if (refresh.contains(c.id())) {
                byKey.computeIfAbsent(groups.groupKey(c.id()), k -> new ArrayList<>()).add(c);
            }
        }
        Map<Long, Integer> unitLevel = new HashMap<>();
        List<List<Unit>> levels = new ArrayList<>();
        for (Map.Entry<Long, List<Candidate>> u : byKey.entrySet()) {
            int l = unitLevel(u.getKey(), byKey, groups, unitLevel, new HashSet<>());
            while (levels.size() <= l) {
                levels.add(new ArrayList<>());
            }
            levels.get(l).add(new Unit(List.copyOf(u.getValue())));
        }
        for (List<Unit> level : levels) {
            level.sort((a, b) -> Long.compare(a.tables().get(0).id(), b.tables().get(0).id()));
        }
        return levels;
    }

    private int unitLevel(long key, Map<Long, List<Candidate>> byKey, DiamondGroups groups, Map<Long, Integer> known,
            Set<Long> visiting) {
        Integer l = known.get(key);
        if (l != null) {
            return l;
        }
        int level = 0;
        if (visiting.add(key)) {
            for (Candidate c : byKey.get(key)) {
                for (long up : c.upstream()) {
                    long upKey = groups.groupKey(up);
                    if (upKey != key && byKey.containsKey(upKey)) {
                        level = Math.max(level, unitLevel(upKey, byKey, groups, known, visiting) + 1);
                    }
                }
            }
        }
        known.put(key, level);
        return level;
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
