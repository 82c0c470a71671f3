package io.pgtrickle.planner.tree;

import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * A join of its {@code scans}, in the order of the FROM clause. The join conditions stay in the user's
 * text: {@code from} is the FROM clause as written ({@code a JOIN b ON a.x = b.y}, {@code a, b}, {@code a
 * LEFT JOIN b ON ...}), and comma joins have theirs in the WHERE clause, a {@link Filter} above.
 *
 * @param anchors the scans an outer join may NULL-extend (by index in {@code scans}), each with its anchor:
 *     the scans of its join's preserved side that are never NULL-extended; empty for inner joins only
 *     (see {@link JoinLayout})
 */
public record Join(List<Scan> scans, String from, Map<Integer, List<Integer>> anchors) implements Operator {
    public Join {
        scans = List.copyOf(scans);
        Map<Integer, List<Integer>> copy = new TreeMap<>();
        anchors.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        anchors = java.util.Collections.unmodifiableMap(copy);
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
