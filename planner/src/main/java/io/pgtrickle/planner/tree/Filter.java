package io.pgtrickle.planner.tree;

import java.util.List;

/** Keeps the input rows for which {@code predicate} (the user's WHERE text) is true. */
public record Filter(Operator input, String predicate) implements Operator {

    @Override
    public String describe() {
        return "Filter[" + predicate + "]";
    }

    @Override
    public List<Operator> inputs() {
        return List.of(input);
    }
}
