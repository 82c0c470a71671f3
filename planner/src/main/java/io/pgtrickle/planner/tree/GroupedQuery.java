package io.pgtrickle.planner.tree;

import static io.pgtrickle.planner.tree.TreeBuilder.derivedJoin;
import static io.pgtrickle.planner.tree.TreeBuilder.fromItem;
import static io.pgtrickle.planner.tree.TreeBuilder.hasSchemaQualifiedColumn;
import static io.pgtrickle.planner.tree.TreeBuilder.join;
import static io.pgtrickle.planner.tree.TreeBuilder.quoted;
import static io.pgtrickle.planner.tree.TreeBuilder.relation;
import static io.pgtrickle.planner.tree.TreeBuilder.span;
import static io.pgtrickle.planner.tree.TreeBuilder.spanOf;

import io.pgtrickle.planner.calcite.RelationTable;
import io.pgtrickle.planner.catalog.PgColumn;
import io.pgtrickle.planner.tree.TreeBuilder.Unsupported;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.AggregateCall;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The operator tree of a grouped query (GROUP BY, an aggregate over all rows, or SELECT DISTINCT) over
 * one table, an inner join or subqueries in FROM: the aggregate's group keys and GROUP BY as the user wrote
 * them, and per output column the group key it is or the plain aggregate call it is ({@link Aggregate}).
 */
final class GroupedQuery {
    private GroupedQuery() {
    }

    /**
     * A grouped query over one table: Project(Filter(HAVING)?(Aggregate(Project?(Filter(WHERE)?(Scan))))),
     * or a SELECT DISTINCT, which Calcite plans as an Aggregate of every output and no calls.
     * Calcite projects the group keys first, in GROUP BY order, so the aggregate's first fields are the
     * GROUP BY items in order.
     */
    static Operator of(SqlSelect select, List<String> aliases, SourceText source, RelNode top)
            throws Unsupported {
        LogicalProject project = top instanceof LogicalProject p ? p : null;
        RelNode below = project != null ? project.getInput() : top;
        String having = null;
        if (below instanceof LogicalFilter filter) {
            having = source.cut(select.getHaving().getParserPosition());
            below = filter.getInput();
        }
        LogicalAggregate aggregate = (LogicalAggregate) below;
        if (aggregate.getGroupType() != org.apache.calcite.rel.core.Aggregate.Group.SIMPLE) {
            throw new Unsupported("GROUPING SETS, ROLLUP and CUBE");
        }
        int groups = aggregate.getGroupCount();
        if (!aggregate.getGroupSet().equals(org.apache.calcite.util.ImmutableBitSet.range(groups))) {
            throw new Unsupported("a GROUP BY the planner cannot match to its keys");
        }
        String what = select.isDistinct() ? "DISTINCT" : "aggregates";
        List<Scan> scans = new ArrayList<>();
        Operator input;
        if (DerivedFrom.has(select.getFrom())) {
            Join join = derivedJoin(select, source, top, "a subquery in FROM");
            scans.addAll(join.scans());
            input = join;
        } else {
            JoinLayout joins = JoinLayout.of(fromItem(aggregate.getInput(), what));
            if (joins.scans.size() != aliases.size()) {
                throw new Unsupported("a FROM clause the planner cannot match to its tables");
            }
            for (int i = 0; i < joins.scans.size(); i++) {
                scans.add(new Scan(relation(joins.scans.get(i).getTable()), aliases.get(i)));
            }
            if (scans.size() > 1 && hasSchemaQualifiedColumn(select)) {
                // the refresh reads each table through a derived table of the table's name, which a schema cannot prefix
                throw new Unsupported("a column named with its table's schema (schema.table.column) in " + what + " over a join");
            }
            input = scans.size() == 1 ? scans.get(0) : join(select, source, scans, joins.anchors);
        }
        if (select.getWhere() != null) {
            input = new Filter(input, source.cut(select.getWhere().getParserPosition()));
        }
        List<String> names = top.getRowType().getFieldNames();
        // the select list's expressions (a * as the table's columns) and their parse nodes (null for *)
        List<String> texts = new ArrayList<>();
        List<SqlNode> nodes = new ArrayList<>();
        for (SqlNode item : select.getSelectList()) {
            if (item instanceof SqlIdentifier id && id.isStar()) {
                if (scans.size() > 1 || input instanceof Join) {
                    throw new Unsupported("* in the select list of " + what + " over a join (name the columns)");
                }
                for (PgColumn c : scans.get(0).relation().columns()) {
                    texts.add(quoted(c.name()));
                    nodes.add(null);
                }
            } else {
                SqlNode expression = item.getKind() == SqlKind.AS ? ((SqlBasicCall) item).operand(0) : item;
                texts.add(source.cut(expression.getParserPosition()));
                nodes.add(expression);
            }
        }
        if (texts.size() != names.size()) {
            throw new Unsupported("a select list the planner cannot map to its columns");
        }
        List<String> groupKeys = new ArrayList<>();
        String groupBy = null;
        if (select.isDistinct()) {
            // SELECT DISTINCT is GROUP BY every output: Calcite plans it so, and so is it maintained
            if (select.getGroup() != null || having != null || !aggregate.getAggCallList().isEmpty()) {
                throw new Unsupported("DISTINCT over grouped rows");
            }
            groupKeys.addAll(texts);
            StringJoiner ordinals = new StringJoiner(", ");
            for (int i = 1; i <= texts.size(); i++) {
                ordinals.add(String.valueOf(i)); // ordinals: a constant in the select list is no position
            }
            groupBy = ordinals.toString();
        } else if (select.getGroup() != null && !select.getGroup().isEmpty()) {
            groupBy = source.cut(spanOf(select.getGroup().getList()));
            for (SqlNode item : select.getGroup()) {
                groupKeys.add(groupExpression(item, select, source, scans));
            }
        }
        if (groupKeys.size() != groups) {
            throw new Unsupported("a GROUP BY the planner cannot match to its keys");
        }
        List<Integer> outputGroups = new ArrayList<>();
        List<Aggregate.Call> outputCalls = new ArrayList<>();
        List<Project.Output> outputs = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            outputs.add(new Project.Output(names.get(i), texts.get(i), null));
            int field = project == null ? i
                    : project.getProjects().get(i) instanceof RexInputRef ref ? ref.getIndex() : -1;
            outputGroups.add(field >= 0 && field < groups ? field : -1);
            outputCalls.add(field >= groups && nodes.get(i) != null
                    ? plainCall(nodes.get(i), aggregate.getAggCallList().get(field - groups), aggregate.getInput(), source)
                    : null);
        }
        return new Project(new Aggregate(input, groupKeys, groupBy, having, outputGroups, outputCalls), outputs,
                source.cut(span(select.getSelectList())));
    }

    /**
     * The select-list item {@code node} as one plain aggregate call ({@code call} is Calcite's reading of
     * it), or null: another function, DISTINCT, FILTER, an ORDER BY inside, or an expression around it.
     */
    private static Aggregate.Call plainCall(SqlNode node, AggregateCall call, RelNode input, SourceText source) {
        if (!(node instanceof SqlBasicCall sql) || sql.getFunctionQuantifier() != null || call.isDistinct()
                || call.filterArg >= 0 || !call.getCollation().getFieldCollations().isEmpty()) {
            return null;
        }
        Aggregate.Function function;
        try {
            function = Aggregate.Function.valueOf(sql.getOperator().getName().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (call.getArgList().isEmpty()) {
            return function == Aggregate.Function.COUNT && sql.operandCount() == 1
                    && sql.operand(0) instanceof SqlIdentifier star && star.isStar()
                    ? new Aggregate.Call(function, null, true) : null;
        }
        if (call.getArgList().size() != 1 || sql.operandCount() != 1) {
            return null;
        }
        int argument = call.getArgList().get(0);
        SqlTypeName type = input.getRowType().getFieldList().get(argument).getType().getSqlTypeName();
        boolean exact = SqlTypeName.INT_TYPES.contains(type);
        if (!exact && type == SqlTypeName.DECIMAL) {
            PgColumn column = columnOf(input, argument);
            exact = column != null && column.type().matches("numeric\\(\\d+,\\d+\\)");
        }
        return new Aggregate.Call(function, source.cut(sql.operand(0).getParserPosition()), exact);
    }

    /** The table column that field {@code field} of {@code node} passes on unchanged, or null. */
    private static PgColumn columnOf(RelNode node, int field) {
        if (node instanceof TableScan scan) {
            RelationTable table = scan.getTable().unwrap(RelationTable.class);
            return table == null ? null : table.relation().column(scan.getRowType().getFieldNames().get(field));
        }
        if (node instanceof LogicalFilter filter) {
            return columnOf(filter.getInput(), field);
        }
        if (node instanceof LogicalJoin join) {
            int left = join.getLeft().getRowType().getFieldCount();
            return field < left ? columnOf(join.getLeft(), field) : columnOf(join.getRight(), field - left);
        }
        if (node instanceof LogicalProject project && project.getProjects().get(field) instanceof RexInputRef ref) {
            return columnOf(project.getInput(), ref.getIndex());
        }
        return null;
    }

    /** The text of a GROUP BY item; an ordinal or an output alias stands for the select-list expression. */
    private static String groupExpression(SqlNode item, SqlSelect select, SourceText source, List<Scan> scans)
            throws Unsupported {
        List<SqlNode> items = select.getSelectList().getList();
        if (item instanceof org.apache.calcite.sql.SqlNumericLiteral n) {
            int ordinal = n.intValue(true);
            if (ordinal < 1 || ordinal > items.size()) {
                throw new Unsupported("a GROUP BY ordinal out of range");
            }
            SqlNode target = items.get(ordinal - 1);
            return source.cut((target.getKind() == SqlKind.AS ? ((SqlBasicCall) target).operand(0) : target)
                    .getParserPosition());
        }
        // a bare name is an input column first, as PostgreSQL resolves it; an output alias only otherwise
        if (item instanceof SqlIdentifier id && id.isSimple() && scans.stream()
                .noneMatch(scan -> scan.relation().columns().stream().anyMatch(c -> c.name().equals(id.getSimple())))) {
            for (SqlNode target : items) {
                if (target.getKind() == SqlKind.AS && ((SqlIdentifier) ((SqlBasicCall) target).operand(1)).getSimple()
                        .equals(id.getSimple()) && !(((SqlBasicCall) target).operand(0) instanceof SqlIdentifier)) {
                    return source.cut(((SqlBasicCall) target).operand(0).getParserPosition());
                }
            }
        }
        if (item.getKind() == SqlKind.GROUPING_SETS || item.getKind() == SqlKind.ROLLUP || item.getKind() == SqlKind.CUBE) {
            throw new Unsupported("GROUPING SETS, ROLLUP and CUBE");
        }
        return source.cut(item.getParserPosition());
    }
}
