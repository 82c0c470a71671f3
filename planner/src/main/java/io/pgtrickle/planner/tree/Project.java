package io.pgtrickle.planner.tree;

import java.util.List;
import java.util.stream.Collectors;

/** Computes the output columns: each a name and the user's expression text over the input's columns. */
public record Project(Operator input, List<Output> outputs) implements Operator {

    /**
     * One output column.
     *
     * @param sourceColumn the input column it passes on unchanged (a plain column reference), or null
     */
    public record Output(String name, String expression, String sourceColumn) {
    }

    public Project {
        outputs = List.copyOf(outputs);
    }

    @Override
    public String describe() {
        return "Project[" + outputs.stream().map(o -> o.name() + " := " + o.expression())
                .collect(Collectors.joining(", ")) + "]";
    }

    @Override
    public List<Operator> inputs() {
        return List.of(input);
    }
}
