package io.pgtrickle.planner.tree;

import io.pgtrickle.planner.calcite.RelationTable;
import io.pgtrickle.planner.tree.TreeBuilder.Unsupported;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.sql.JoinType;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSetOperator;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * A FROM clause with derived tables ({@code (SELECT ...) AS x}, nested, UNION ALL inside) as a {@link
 * Join}: every table occurrence, inside the derived tables too, with where its name is in the text; every
 * derived table with where each of its SELECTs' select lists ends and what it joins. A derived table must
 * be linear in its tables' rows, so that the refresh can read it over a table's changed rows alone: a
 * select-project-join (inner joins), or a UNION ALL of them, with no DISTINCT, GROUP BY, aggregate,
 * window function, ORDER BY / LIMIT or subquery; and a {@code *} would pass the refresh's own columns on,
 * so the select lists name their columns.
 */
final class DerivedFrom {
    private final SourceText source;
    private final int start;
    private final List<TableScan> plannedScans;
    private final List<Scan> scans = new ArrayList<>();
    private final List<Join.Range> tables = new ArrayList<>();
    private final List<Join.Derived> derived = new ArrayList<>();

    private DerivedFrom(SourceText source, int start, List<TableScan> plannedScans) {
        this.source = source;
        this.start = start;
        this.plannedScans = plannedScans;
    }

    /** Whether a FROM clause holds a derived table. */
    static boolean has(SqlNode from) {
        if (from instanceof SqlJoin join) {
            return has(join.getLeft()) || has(join.getRight());
        }
        if (from != null && from.getKind() == SqlKind.AS) {
            return has(((SqlBasicCall) from).operand(0));
        }
        return from != null && !(from instanceof SqlIdentifier);
    }

    /**
     * The FROM clause of {@code select} as a join; {@code plan} is Calcite's plan of the query, whose table
     * scans are the FROM clause's table occurrences in text order.
     */
    static Join of(SqlSelect select, SourceText source, RelNode plan) throws Unsupported {
        SqlParserPos span = TreeBuilder.span(select.getFrom());
        List<TableScan> planned = new ArrayList<>();
        collect(plan, planned);
        DerivedFrom d = new DerivedFrom(source, source.stripped(span)[0], planned);
        Join.Items top = d.items(select.getFrom());
        if (d.scans.size() != planned.size()) {
            throw new Unsupported("a FROM clause the planner cannot match to its tables");
        }
        return new Join(d.scans, source.cut(span), Map.of(), d.tables, d.derived, top);
    }

    private static void collect(RelNode node, List<TableScan> out) {
        if (node instanceof TableScan scan) {
            out.add(scan);
        }
        node.getInputs().forEach(i -> collect(i, out));
    }

    /** The items a FROM clause joins. */
    private Join.Items items(SqlNode from) throws Unsupported {
        List<Integer> scanItems = new ArrayList<>();
        List<Integer> derivedItems = new ArrayList<>();
        item(from, scanItems, derivedItems);
        return new Join.Items(scanItems, derivedItems);
    }

    private void item(SqlNode from, List<Integer> scanItems, List<Integer> derivedItems) throws Unsupported {
        if (from instanceof SqlJoin join) {
            JoinType type = join.getJoinType();
            if (type != JoinType.INNER && type != JoinType.COMMA && type != JoinType.CROSS) {
                throw new Unsupported("outer joins beside a subquery in FROM");
            }
            item(join.getLeft(), scanItems, derivedItems);
            item(join.getRight(), scanItems, derivedItems);
            return;
        }
        String alias = null;
        SqlNode node = from;
        if (from.getKind() == SqlKind.AS) {
            SqlBasicCall as = (SqlBasicCall) from;
            if (as.operandCount() > 2) {
                throw new Unsupported("column aliases on a table or subquery in FROM");
            }
            alias = ((SqlIdentifier) as.operand(1)).getSimple();
            node = as.operand(0);
        }
        if (node instanceof SqlIdentifier id) {
            int index = scans.size();
            if (index >= plannedScans.size()) {
                throw new Unsupported("a FROM clause the planner cannot match to its tables");
            }
            TableScan planned = plannedScans.get(index);
            List<String> name = planned.getTable().getQualifiedName();
            RelationTable table = planned.getTable().unwrap(RelationTable.class);
            if (table == null || !name.get(name.size() - 1).equals(id.names.get(id.names.size() - 1))) {
                throw new Unsupported("a FROM clause the planner cannot match to its tables");
            }
            scans.add(new Scan(table.relation(), alias));
            int[] r = source.stripped(id.getParserPosition());
            tables.add(new Join.Range(r[0] - start, r[1] - start));
            scanItems.add(index);
            return;
        }
        if (node.getKind() == SqlKind.LATERAL) {
            throw new Unsupported("LATERAL");
        }
        if (!(node instanceof SqlSelect) && node.getKind() != SqlKind.UNION) {
            throw new Unsupported(node.getKind() == SqlKind.ORDER_BY ? "ORDER BY / LIMIT in a subquery in FROM"
                    : node.getKind() == SqlKind.WITH ? "WITH in a subquery in FROM"
                    : node instanceof SqlCall ? "a subquery or function in FROM (" + node.getKind() + ")"
                    : "a subquery or function in FROM");
        }
        if (alias == null) {
            throw new Unsupported("a subquery in FROM without an alias");
        }
        int index = derived.size();
        derived.add(null); // its place in text order: derived tables inside it come after it
        List<Join.Branch> branches = new ArrayList<>();
        branches(node, branches);
        derived.set(index, new Join.Derived(alias, branches));
        derivedItems.add(index);
    }

    /** The SELECTs of a derived table's query: one, or the branches of a UNION ALL. */
    private void branches(SqlNode query, List<Join.Branch> out) throws Unsupported {
        if (query.getKind() == SqlKind.UNION) {
            SqlBasicCall union = (SqlBasicCall) query;
            if (!((SqlSetOperator) union.getOperator()).isAll()) {
                throw new Unsupported("UNION (without ALL) in a subquery in FROM");
            }
            branches(union.operand(0), out);
            branches(union.operand(1), out);
            return;
        }
        if (!(query instanceof SqlSelect select)) {
            throw new Unsupported(query.getKind() == SqlKind.ORDER_BY ? "ORDER BY / LIMIT in a subquery in FROM"
                    : query.getKind() + " in a subquery in FROM");
        }
        if (select.isDistinct()) {
            throw new Unsupported("DISTINCT in a subquery in FROM");
        }
        if (select.getGroup() != null || select.getHaving() != null || hasAggregate(select.getSelectList())) {
            throw new Unsupported("aggregates in a subquery in FROM");
        }
        if (select.getWindowList() != null && !select.getWindowList().isEmpty() || hasOver(select.getSelectList())) {
            throw new Unsupported("window functions");
        }
        if (select.getOrderList() != null && !select.getOrderList().isEmpty() || select.getFetch() != null
                || select.getOffset() != null) {
            throw new Unsupported("ORDER BY / LIMIT in a subquery in FROM");
        }
        if (select.getFrom() == null) {
            throw new Unsupported("a subquery in FROM without FROM");
        }
        if (TreeBuilder.hasSubquery(select.getWhere()) || TreeBuilder.hasSubquery(select.getSelectList())) {
            throw new Unsupported("a subquery inside a subquery in FROM");
        }
        if (hasStar(select.getSelectList())) {
            throw new Unsupported("* in a subquery in FROM (name the columns)");
        }
        int end = source.stripped(TreeBuilder.span(select.getSelectList()))[1] - start;
        out.add(new Join.Branch(end, items(select.getFrom())));
    }

    static boolean hasStar(SqlNodeList list) {
        for (SqlNode item : list) {
            if (item instanceof SqlIdentifier id && id.isStar()) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasAggregate(SqlNode node) {
        if (node instanceof SqlCall call) {
            if (call.getOperator().isAggregator()) {
                return true;
            }
            for (SqlNode operand : call.getOperandList()) {
                if (hasAggregate(operand)) {
                    return true;
                }
            }
        } else if (node instanceof SqlNodeList list) {
            for (SqlNode item : list) {
                if (hasAggregate(item)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasOver(SqlNode node) {
        if (node instanceof SqlCall call) {
            if (call.getKind() == SqlKind.OVER) {
                return true;
            }
            for (SqlNode operand : call.getOperandList()) {
                if (hasOver(operand)) {
                    return true;
                }
            }
        } else if (node instanceof SqlNodeList list) {
            for (SqlNode item : list) {
                if (hasOver(item)) {
                    return true;
                }
            }
        }
        return false;
    }
}
