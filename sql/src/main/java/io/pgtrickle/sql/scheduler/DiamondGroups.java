package io.pgtrickle.sql.scheduler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The atomic diamond groups of the stream-table graph (docs/architecture.md, decision y). Where a table D
 * reads one source S along two or more paths (S → B → D and S → C → D), the tables that read S first on
 * those paths (B and C) must refresh as of one snapshot of S, or D would combine B and C taken at
 * different moments; and so must every table on a path from one of them to another (S → B → M → C with
 * C reading S too). Each such set, merged with any other it shares a table with, is a group, refreshed in
 * one transaction. Only convergence tables (D) whose diamond_consistency is atomic make groups. Pure.
 */
final class DiamondGroups {
    private final Map<Long, Candidate> byId;
    private final Map<Long, List<Long>> readers;
    private final Map<Long, Long> parent = new HashMap<>();
    /** Per group made by one convergence table: its members and whether that table asked for slowest. */
    private final List<Map.Entry<Set<Long>, Boolean>> made = new ArrayList<>();
    private final Map<Long, Map<String, Set<Long>>> firstReaders = new HashMap<>();

    DiamondGroups(Map<Long, Candidate> byId, Map<Long, List<Long>> readers) {
        this.byId = byId;
        this.readers = readers;
        for (Candidate d : byId.values()) {
            if (!d.atomic()) {
                continue;
            }
            for (Set<Long> first : firstReaders(d.id(), new HashSet<>()).values()) {
                if (first.size() > 1) {
                    made.add(Map.entry(first, d.slowest()));
                    long any = first.iterator().next();
                    first.forEach(m -> union(any, m));
                }
            }
        }
        boolean grew = !made.isEmpty();
        while (grew) { // a table on a path between two members joins their group
            grew = false;
            for (Set<Long> group : groups()) {
                Set<Long> below = reach(group, true);
                Set<Long> above = reach(group, false);
                long any = group.iterator().next();
                for (long id : below) {
                    if (above.contains(id) && find(id) != find(any)) {
                        union(any, id);
                        grew = true;
                    }
                }
            }
        }
    }

    /**
     * Per source reached upward from table {@code id} (a plain table "r" + oid, a stream table "s" + id), the
     * tables at or above {@code id} that read it directly: two or more means two paths.
     */
    private Map<String, Set<Long>> firstReaders(long id, Set<Long> visiting) {
        Map<String, Set<Long>> known = firstReaders.get(id);
        if (known != null) {
            return known;
        }
        Map<String, Set<Long>> out = new HashMap<>();
        Candidate c = byId.get(id);
        if (c == null || !visiting.add(id)) { // a cycle (rejected at create; the catalog is user-writable) ends here
            return out;
        }
        for (long plain : c.plainSources()) {
            out.computeIfAbsent("r" + plain, k -> new TreeSet<>()).add(id);
        }
        for (long up : c.upstream()) {
            if (!byId.containsKey(up)) {
                continue;
            }
            out.computeIfAbsent("s" + up, k -> new TreeSet<>()).add(id);
            firstReaders(up, visiting).forEach((source, first) -> out.computeIfAbsent(source, k -> new TreeSet<>()).addAll(first));
        }
        visiting.remove(id);
        firstReaders.put(id, out);
        return out;
    }

    /** The tables reachable from {@code from} downward (readers) or upward (sources), {@code from} excluded. */
    private Set<Long> reach(Set<Long> from, boolean down) {
        Set<Long> seen = new HashSet<>();
        List<Long> todo = new ArrayList<>(from);
        while (!todo.isEmpty()) {
            long id = todo.remove(todo.size() - 1);
            Collection<Long> next = down ? readers.getOrDefault(id, List.of())
                    : byId.containsKey(id) ? byId.get(id).upstream() : List.of();
            for (long n : next) {
                if (byId.containsKey(n) && seen.add(n)) {
                    todo.add(n);
                }
            }
        }
        seen.removeAll(from);
        return seen;
    }

    /** The groups of two or more tables, each in id order. */
    List<Set<Long>> groups() {
        Map<Long, Set<Long>> byRoot = new HashMap<>();
        for (long id : parent.keySet()) {
            byRoot.computeIfAbsent(find(id), k -> new TreeSet<>()).add(id);
        }
        List<Set<Long>> out = new ArrayList<>();
        for (Set<Long> g : byRoot.values()) {
            if (g.size() > 1) {
                out.add(g);
            }
        }
        out.sort((a, b) -> Long.compare(a.iterator().next(), b.iterator().next()));
        return out;
    }

    /** A key shared by the tables of one group (the table itself when it is in none). */
    long groupKey(long id) {
        return find(id);
    }

    /** Whether every convergence table behind the group asked for diamond_schedule_policy slowest. */
    boolean slowest(Set<Long> group) {
        boolean any = false;
        for (Map.Entry<Set<Long>, Boolean> m : made) {
            if (group.containsAll(m.getKey())) {
                if (!m.getValue()) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    private long find(long id) {
        Long p = parent.get(id);
        if (p == null) {
            return id;
        }
        if (p == id) {
            return id;
        }
        long root = find(p);
        parent.put(id, root);
        return root;
    }

    private void union(long a, long b) {
        parent.putIfAbsent(a, a);
        parent.putIfAbsent(b, b);
        long ra = find(a);
        long rb = find(b);
        if (ra != rb) {
            parent.put(Math.max(ra, rb), Math.min(ra, rb));
        }
    }
}
