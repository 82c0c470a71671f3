package io.pgtrickle.planner.tree;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Keeps the input rows for which {@code predicate} (the user's WHERE text) is true.
 *
 * @param subqueries the [NOT] EXISTS and [NOT] IN subqueries of the predicate ({@link Subquery}), in
 *     text order; empty when it has none
 * @param withoutSubqueries with subqueries: the predicate's top-level AND terms that hold none (null when
 *     none is left), which every row the predicate keeps satisfies; else the predicate
 */
public record Filter(Operator input, String predicate, List<Subquery> subqueries, String withoutSubqueries)
        implements Operator {

    public Filter {
        subqueries = List.copyOf(subqueries);
    }

    public Filter(Operator input, String predicate, List<Subquery> subqueries) {
        this(input, predicate, subqueries, subqueries.isEmpty() ? predicate : null);
    }

    public Filter(Operator input, String predicate) {
        this(input, predicate, List.of());
    }

    @Override
    public String describe() {
        return "Filter[" + predicate + (subqueries.isEmpty() ? "" : "; subqueries: "
                + subqueries.stream().map(Subquery::describe).collect(Collectors.joining(", "))) + "]";
    }

    @Override
    public List<Operator> inputs() {
        return List.of(input);
    }
}
