package io.pgtrickle.planner.tree;

import io.pgtrickle.planner.calcite.RelationTable;
import io.pgtrickle.planner.catalog.PgRelation;
import io.pgtrickle.planner.tree.TreeBuilder.Unsupported;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;

/**
 * Finds the subqueries of a WHERE clause ({@link Subquery}) and the query without them: the same text
 * with each {@code EXISTS (...)} or {@code x IN (...)} blanked to {@code TRUE}, positions kept, which
 * Calcite analyses for the outer query's tree. Any other subquery (scalar, ANY/ALL, one over a join or
 * with a subquery inside, GROUP BY, LIMIT) is {@link Unsupported}.
 */
final class Subqueries {
    /** The subqueries found, and the query text with each blanked. */
    record Found(List<Subquery> subqueries, String shadow) {
    }

    private final SourceText source;
    private final RelNode plan;
    private final char[] shadow;
    private final List<Subquery> found = new ArrayList<>();

    private Subqueries(SourceText source, String parsed, RelNode plan) {
        this.source = source;
        this.plan = plan;
        this.shadow = parsed.toCharArray();
    }

    /**
     * The subqueries of {@code where}; {@code parsed} is the text Calcite read, {@code plan} its plan of the
     * whole query (where the subqueries' tables are found).
     */
    static Found find(SqlNode where, SourceText source, String parsed, RelNode plan) throws Unsupported {
        Subqueries s = new Subqueries(source, parsed, plan);
        s.visit(where);
        return new Found(s.found, new String(s.shadow));
    }

    private void visit(SqlNode node) throws Unsupported {
        if (node instanceof SqlCall call && call.getKind() == SqlKind.EXISTS && call.operand(0) instanceof SqlSelect sub) {
            found.add(subquery(sub, null));
            blank(call);
        } else if (node instanceof SqlCall call && (call.getKind() == SqlKind.IN || call.getKind() == SqlKind.NOT_IN)
                && call.operand(1) instanceof SqlSelect sub) {
            SqlNode left = call.operand(0);
            if (left.getKind() == SqlKind.ROW || left instanceof SqlNodeList || TreeBuilder.hasSubquery(left)) {
                throw new Unsupported("IN with a row of several values or a subquery on its left");
            }
            found.add(subquery(sub, source.cut(left.getParserPosition())));
            blank(call);
        } else if (node instanceof SqlSelect || node != null && node.getKind() == SqlKind.WITH) {
            throw new Unsupported("a scalar subquery, or ANY / ALL over a subquery, in WHERE");
        } else if (node instanceof SqlCall call) {
            for (SqlNode operand : call.getOperandList()) {
                visit(operand);
            }
        } else if (node instanceof SqlNodeList list) {
            for (SqlNode item : list) {
                visit(item);
            }
        }
    }

    private Subquery subquery(SqlSelect sub, String left) throws Unsupported {
        if (sub.getGroup() != null || sub.getHaving() != null || sub.getFetch() != null || sub.getOffset() != null
                || sub.getOrderList() != null && !sub.getOrderList().isEmpty()
                || sub.getWindowList() != null && !sub.getWindowList().isEmpty()) {
            throw new Unsupported("a subquery with GROUP BY, HAVING, ORDER BY, LIMIT or WINDOW");
        }
        if (TreeBuilder.hasSubquery(sub.getWhere()) || TreeBuilder.hasSubquery(sub.getSelectList())) {
            throw new Unsupported("a subquery inside a subquery");
        }
        SqlNode from = sub.getFrom();
        String alias = null;
        if (from != null && from.getKind() == SqlKind.AS && ((SqlBasicCall) from).operandCount() == 2) {
            alias = ((SqlIdentifier) ((SqlBasicCall) from).operand(1)).getSimple();
            from = ((SqlBasicCall) from).operand(0);
        }
        if (!(from instanceof SqlIdentifier table)) {
            throw new Unsupported("a subquery over a join, a subquery or a function (one table only, for now)");
        }
        String item = null;
        if (left != null) {
            SqlNode only = sub.getSelectList().size() == 1 ? sub.getSelectList().get(0) : null;
            if (only == null || only instanceof SqlIdentifier id && id.isStar()) {
                throw new Unsupported("an IN subquery without exactly one select-list item");
            }
            if (only.getKind() == SqlKind.AS) {
                only = ((SqlBasicCall) only).operand(0);
            }
            item = source.cut(only.getParserPosition());
        }
        String where = sub.getWhere() == null ? null : source.cut(sub.getWhere().getParserPosition());
        return new Subquery(resolve(table), alias, where, left, item);
    }

    /** The table a subquery names, among those Calcite's plan scans. */
    private PgRelation resolve(SqlIdentifier table) throws Unsupported {
        String name = table.names.get(table.names.size() - 1);
        String schema = table.names.size() > 1 ? table.names.get(table.names.size() - 2) : null;
        Set<PgRelation> candidates = new LinkedHashSet<>();
        collect(plan, name, schema, candidates);
        if (candidates.size() != 1) {
            throw new Unsupported("a subquery whose table the planner cannot tell (" + table + ")");
        }
        return candidates.iterator().next();
    }

    private static void collect(RelNode node, String name, String schema, Set<PgRelation> out) throws Unsupported {
        if (node instanceof TableScan scan) {
            RelationTable table = scan.getTable().unwrap(RelationTable.class);
            if (table == null) {
                throw new Unsupported("a source that is not a table: " + scan.getTable().getQualifiedName());
            }
            PgRelation r = table.relation();
            if (r.name().equals(name) && (schema == null || r.schema().equals(schema))) {
                out.add(r);
            }
        }
        for (RelNode input : node.getInputs()) {
            collect(input, name, schema, out);
        }
    }

    /** Blanks a subquery predicate to {@code TRUE} in the shadow text, keeping every position. */
    private void blank(SqlCall call) {
        int[] range = source.range(TreeBuilder.span(call));
        for (int i = range[0]; i < range[1]; i++) {
            if (shadow[i] != '\n' && shadow[i] != '\r') {
                shadow[i] = ' ';
            }
        }
        "TRUE".getChars(0, 4, shadow, range[0]);
    }
}
