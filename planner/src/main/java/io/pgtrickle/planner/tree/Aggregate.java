package io.pgtrickle.planner.tree;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Groups its input and computes aggregates: the grouping and the aggregates stay in the user's text.
 *
 * @param groupKeys the GROUP BY expressions as the user wrote them (an ordinal or an output alias
 *     replaced by the select-list expression it names); empty for an aggregate over all rows
 * @param groupBy the GROUP BY clause's text, null when there is none
 * @param having the HAVING condition's text, or null
 * @param outputGroups per output column of the projection above: the index of the group key it passes
 *     on unchanged, or -1 (an aggregate, or an expression)
 * @param outputCalls per output column of the projection above: the aggregate call it is, when it is
 *     exactly one plain call ({@code count(*)}, {@code sum(x)}, no DISTINCT, FILTER or ORDER BY inside),
 *     else null
 */
public record Aggregate(Operator input, List<String> groupKeys, String groupBy, String having,
        List<Integer> outputGroups, List<Call> outputCalls) implements Operator {

    /** The aggregate functions whose calls the tree tells apart. */
    public enum Function { COUNT, SUM, AVG, MIN, MAX }

    /**
     * One plain aggregate call.
     *
     * @param argument the argument's text as the user wrote it, null for {@code count(*)}
     * @param exact whether the argument's values add up exactly and to the same scale in any order: an
     *     integer type, or a {@code numeric(p,s)} column (whose values all have scale s); a float sum
     *     depends on the order of addition, and a plain numeric's sum takes the largest scale of its rows
     */
    public record Call(Function function, String argument, boolean exact) {
    }

    public Aggregate {
        groupKeys = List.copyOf(groupKeys);
        outputGroups = List.copyOf(outputGroups);
        outputCalls = Collections.unmodifiableList(new ArrayList<>(outputCalls)); // null for "not a plain call"
    }

    @Override
    public String describe() {
        return "Aggregate[" + (groupKeys.isEmpty() ? "all rows" : "group by " + String.join(", ", groupKeys))
                + (having == null ? "" : " having " + having) + "]";
    }

    @Override
    public List<Operator> inputs() {
        return List.of(input);
    }
}
