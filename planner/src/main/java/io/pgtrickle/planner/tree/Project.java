package io.pgtrickle.planner.tree;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Computes the output columns: each a name and the user's expression text over the input's columns.
 * {@code selectList} is the whole select list as the user wrote it ({@code *} included).
 */
public record Project(Operator input, List<Output> outputs, String selectList) implements Operator {

    /**
     * One output column.
     *
     * @param source the column of a scan it passes on unchanged (a plain column reference), or null
     */
    public record Output(String name, String expression, ColumnRef source) {
    }

    /** A column of the {@code scan}-th scan below (in FROM order). */
    public record ColumnRef(int scan, String column) {
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
