package io.pgtrickle.planner.tree;

import java.util.List;

/**
 * An inner join of its {@code scans}, in the order of the FROM clause. The join
 * conditions stay in the user's text: {@code from} is the FROM clause as written ({@code a JOIN b ON
 * a.x = b.y}, {@code a, b}), and comma joins have theirs in the WHERE clause, a {@link Filter} above.
 */
public record Join(List<Scan> scans, String from) implements Operator {
    public Join {
        scans = List.copyOf(scans);
    }

    @Override
    public String describe() {
        return "Join[inner: " + from + "]";
    }

    @Override
    public List<Operator> inputs() {
        return List.copyOf(scans);
    }
}
