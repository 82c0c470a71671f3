package io.pgtrickle.planner.tree;

import java.util.List;

/**
 * A node of the canonical operator tree the planner maintains incrementally (DESIGN §4). Scalar
 * expressions are kept as the text the user wrote, cut out of the defining query, so the emitted SQL
 * says what the user said.
 */
public sealed interface Operator permits Scan, Filter, Join, Aggregate, Project, UnionAll {

    /** The node alone, on one line (for {@code explain_st} and the golden files). */
    String describe();

    List<Operator> inputs();

    /** The tree below and including this node, one node a line, inputs indented by two spaces. */
    default String render() {
        StringBuilder out = new StringBuilder();
        render(this, 0, out);
        return out.toString();
    }

    private static void render(Operator op, int depth, StringBuilder out) {
        out.append("  ".repeat(depth)).append(op.describe()).append('\n');
        for (Operator in : op.inputs()) {
            render(in, depth + 1, out);
        }
    }
}
