package io.pgtrickle.planner.tree;

import java.util.List;

/**
 * The rows of its branches, each a select-project-join ({@code Project} over an optional {@code Filter}
 * over a {@code Scan} or an inner {@code Join}), duplicates kept: a top-level UNION ALL.
 */
public record UnionAll(List<Operator> branches) implements Operator {
    public UnionAll {
        branches = List.copyOf(branches);
    }

    @Override
    public String describe() {
        return "UnionAll";
    }

    @Override
    public List<Operator> inputs() {
        return branches;
    }
}
