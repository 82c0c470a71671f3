package io.pgtrickle.planner.tree;

import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * A join of its {@code scans}, in the order of the FROM clause. The join conditions stay in the user's
 * text: {@code from} is the FROM clause as written ({@code a JOIN b ON a.x = b.y}, {@code a, b}, {@code a
 * LEFT JOIN b ON ...}), and comma joins have theirs in the WHERE clause, a {@link Filter} above.
 *
 * @param anchors the scans an outer join may NULL-extend (by index in {@code scans}), each with its anchor:
 *     the scans of its join's preserved side that are never NULL-extended; empty for inner joins only
 *     (see {@link JoinLayout})
 * @param tables per scan, where its table's name ({@code public.src} of {@code public.src AS s}) is in
 *     {@code from}: what {@link #from(IntFunction)} replaces
 */
public record Join(List<Scan> scans, String from, Map<Integer, List<Integer>> anchors, List<Range> tables)
        implements Operator {

    /** Offsets in {@link #from}: {@code start} inclusive, {@code end} exclusive. */
    public record Range(int start, int end) {
    }

    public Join {
        scans = List.copyOf(scans);
        Map<Integer, List<Integer>> copy = new TreeMap<>();
        anchors.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        anchors = java.util.Collections.unmodifiableMap(copy);
        tables = List.copyOf(tables);
        if (tables.size() != scans.size()) {
            throw new IllegalArgumentException("one table range per scan");
        }
    }

    /**
     * The FROM clause with the table of each scan {@code s} replaced by {@code table.apply(s)} (a derived
     * table with the scan's alias, say), or kept as written where that gives null.
     */
    public String from(IntFunction<String> table) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (int s = 0; s < scans.size(); s++) {
            Range r = tables.get(s);
            String replacement = table.apply(s);
            out.append(from, at, r.start()).append(replacement != null ? replacement : from.substring(r.start(), r.end()));
            at = r.end();
        }
        return out.append(from.substring(at)).toString();
    }

    @Override
    public String describe() {
        if (anchors.isEmpty()) {
            return "Join[inner: " + from + "]";
        }
        StringJoiner nulled = new StringJoiner(", ");
        anchors.forEach((s, anchor) -> {
            StringJoiner on = new StringJoiner(", ");
            anchor.forEach(a -> on.add(name(a)));
            nulled.add(name(s) + " anchored on " + on);
        });
        return "Join[outer: " + from + "; NULL-extended: " + nulled + "]";
    }

    private String name(int scan) {
        Scan s = scans.get(scan);
        return s.alias() != null ? s.alias() : s.relation().name();
    }

    @Override
    public List<Operator> inputs() {
        return List.copyOf(scans);
    }
}
