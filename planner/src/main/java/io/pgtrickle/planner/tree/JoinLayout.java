package io.pgtrickle.planner.tree;

import io.pgtrickle.planner.tree.TreeBuilder.Unsupported;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;

/**
 * The tables below a select-project-join query's projection and filter, and what each field of the
 * joined row is. Inner joins nest freely; an outer join may NULL-extend a side that holds no outer join
 * itself, and once a table can be NULL-extended no filter above its join (an inner join's condition, the
 * WHERE clause) may read it: then the rows a preserved row gives pass or fail those filters whatever the
 * NULL-extended table holds, which is what lets the refresh find every row a change there touches from the
 * preserved rows joined with the changed key before (in the storage) and now (in the sources). FULL joins
 * have no preserved side and are not taken.
 */
final class JoinLayout {
    /** The scans, in FROM order. */
    final List<TableScan> scans = new ArrayList<>();
    /** Each NULL-extended scan and the scans its join preserves that are never NULL-extended (its anchor). */
    final Map<Integer, List<Integer>> anchors = new TreeMap<>();
    /** Each field of the joined row: a scan's column, or null for a value Calcite computed itself. */
    final List<Project.ColumnRef> fields;
    /** Each field of the joined row: the scans it is read from. */
    private final List<Set<Integer>> uses;

    private record Part(List<Project.ColumnRef> fields, List<Set<Integer>> uses, List<Integer> scans) {
    }

    private JoinLayout(RelNode node) throws Unsupported {
        Part top = part(node);
        fields = top.fields();
        uses = top.uses();
    }

    static JoinLayout of(RelNode node) throws Unsupported {
        return new JoinLayout(node);
    }

    /** The NULL-extended scans that an expression over the joined row reads. */
    Set<Integer> nullExtendedReadBy(RexNode expression) {
        return nullExtendedReadBy(expression, uses);
    }

    private Set<Integer> nullExtendedReadBy(RexNode expression, List<Set<Integer>> fieldUses) {
        Set<Integer> out = new TreeSet<>();
        for (int field : RelOptUtil.InputFinder.bits(expression)) {
            fieldUses.get(field).stream().filter(anchors::containsKey).forEach(out::add);
        }
        return out;
    }

    private Part part(RelNode node) throws Unsupported {
        if (node instanceof TableScan scan) {
            int index = scans.size();
            scans.add(scan);
            List<Project.ColumnRef> fields = new ArrayList<>();
            List<Set<Integer>> uses = new ArrayList<>();
            for (String name : scan.getRowType().getFieldNames()) {
                fields.add(new Project.ColumnRef(index, name));
                uses.add(Set.of(index));
            }
            return new Part(fields, uses, List.of(index));
        }
        if (node instanceof LogicalJoin join) {
            Part left = part(join.getLeft());
            Part right = part(join.getRight());
            Part both = new Part(concat(left.fields(), right.fields()), concat(left.uses(), right.uses()),
                    concat(left.scans(), right.scans()));
            switch (join.getJoinType()) {
                case INNER -> {
                    if (!nullExtendedReadBy(join.getCondition(), both.uses()).isEmpty()) {
                        throw new Unsupported("an inner join whose condition reads the NULL-extended side of an outer join");
                    }
                }
                case LEFT -> nullExtend(right, left);
                case RIGHT -> nullExtend(left, right);
                case FULL -> throw new Unsupported("FULL outer joins");
                default -> throw new Unsupported(TreeBuilder.construct(node));
            }
            return both;
        }
        if (node instanceof LogicalProject project && keepsItsInput(project)) {
            Part input = part(project.getInput());
            List<Project.ColumnRef> fields = new ArrayList<>(input.fields());
            List<Set<Integer>> uses = new ArrayList<>(input.uses());
            for (int i = fields.size(); i < project.getProjects().size(); i++) {
                Set<Integer> read = new TreeSet<>();
                RelOptUtil.InputFinder.bits(project.getProjects().get(i)).forEach(f -> read.addAll(input.uses().get(f)));
                fields.add(null);
                uses.add(read);
            }
            return new Part(fields, uses, input.scans());
        }
        throw new Unsupported(TreeBuilder.construct(node));
    }

    /** Marks the scans of {@code nulled} NULL-extended, anchored on the scans of {@code preserved} never NULL-extended. */
    private void nullExtend(Part nulled, Part preserved) throws Unsupported {
        if (nulled.scans().stream().anyMatch(anchors::containsKey)) {
            throw new Unsupported("an outer join whose NULL-extended side holds another outer join");
        }
        List<Integer> anchor = preserved.scans().stream().filter(s -> !anchors.containsKey(s)).toList();
        for (int s : nulled.scans()) {
            anchors.put(s, anchor);
        }
    }

    /** A projection that passes its input's fields on in order, and may add computed ones after them. */
    private static boolean keepsItsInput(LogicalProject project) {
        int fields = project.getInput().getRowType().getFieldCount();
        if (project.getProjects().size() < fields) {
            return false;
        }
        for (int i = 0; i < fields; i++) {
            if (!(project.getProjects().get(i) instanceof RexInputRef ref) || ref.getIndex() != i) {
                return false;
            }
        }
        return true;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
