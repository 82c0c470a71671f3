package io.pgtrickle.planner.tree;

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
 */
public record Aggregate(Operator input, List<String> groupKeys, String groupBy, String having,
        List<Integer> outputGroups) implements Operator {
    public Aggregate {
        groupKeys = List.copyOf(groupKeys);
        outputGroups = List.copyOf(outputGroups);
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
