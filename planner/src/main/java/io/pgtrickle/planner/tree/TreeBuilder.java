package io.pgtrickle.planner.tree;

import io.pgtrickle.planner.calcite.QueryAnalyzer;
import io.pgtrickle.planner.calcite.RelationTable;
import io.pgtrickle.planner.catalog.PgColumn;
import io.pgtrickle.planner.catalog.PgRelation;
import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;

/**
 * Maps an analysed query to the canonical operator tree. This first step knows single-table queries:
 * a scan, an optional filter and a projection; anything else is {@link Unsupported}, naming the
 * construct, so the caller falls back to FULL refresh.
 */
public final class TreeBuilder {

    /** A query the operator tree cannot express (yet): the reason names the construct. */
    public static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        public Unsupported(String reason) {
            super(reason);
        }
    }

    private TreeBuilder() {
    }

    /** The tree of an analysed query, its expressions cut from {@code text} (the query as the user wrote it). */
    public static Operator build(QueryAnalyzer.Analyzed query, String text) throws Unsupported {
        if (!(query.parsed() instanceof SqlSelect select)) {
            throw new Unsupported(describeTop(query.parsed()));
        }
        String alias = checkSelect(select);
        SourceText source = new SourceText(text);
        RelNode rel = query.plan();
        if (!(rel instanceof LogicalProject project)) {
            throw new Unsupported(construct(rel));
        }
        RelNode below = project.getInput();
        String predicate = null;
        if (below instanceof LogicalFilter filter) {
            predicate = source.cut(select.getWhere().getParserPosition());
            below = filter.getInput();
        }
        if (!(below instanceof TableScan scan)) {
            throw new Unsupported(construct(below));
        }
        PgRelation relation = relation(scan.getTable());
        Operator op = new Scan(relation, alias);
        if (predicate != null) {
            op = new Filter(op, predicate);
        }
        return new Project(op, outputs(select, source, relation, project));
    }

    /** The user's construct behind a plan node the tree cannot take. */
    private static String construct(RelNode rel) {
        if (rel instanceof org.apache.calcite.rel.core.Aggregate) {
            return "aggregates";
        }
        if (rel instanceof org.apache.calcite.rel.core.Join || rel instanceof org.apache.calcite.rel.core.Correlate) {
            return "joins and subqueries (EXISTS, IN, scalar subqueries)";
        }
        if (rel instanceof org.apache.calcite.rel.core.Window) {
            return "window functions";
        }
        return "a query shape the planner does not know yet (" + rel.getRelTypeName() + ")";
    }

    private static String describeTop(SqlNode node) {
        return switch (node.getKind()) {
            case UNION -> "UNION";
            case INTERSECT -> "INTERSECT";
            case EXCEPT -> "EXCEPT";
            case ORDER_BY -> "ORDER BY / LIMIT / OFFSET";
            case WITH -> "WITH (common table expressions)";
            case VALUES -> "VALUES";
            default -> node.getKind().toString();
        };
    }

    /** Refuses what the tree cannot express; gives the alias of the one relation read, or null. */
    private static String checkSelect(SqlSelect select) throws Unsupported {
        if (select.isDistinct()) {
            throw new Unsupported("DISTINCT");
        }
        if (select.getGroup() != null || select.getHaving() != null) {
            throw new Unsupported("GROUP BY / aggregates");
        }
        if (select.getWindowList() != null && !select.getWindowList().isEmpty()) {
            throw new Unsupported("window functions");
        }
        SqlNode from = select.getFrom();
        if (from == null) {
            throw new Unsupported("a query without FROM");
        }
        if (from.getKind() == SqlKind.JOIN) {
            throw new Unsupported("joins");
        }
        String alias = null;
        if (from.getKind() == SqlKind.AS) {
            SqlBasicCall as = (SqlBasicCall) from;
            if (as.operandCount() > 2) {
                throw new Unsupported("column aliases on a table in FROM");
            }
            alias = ((SqlIdentifier) as.operand(1)).getSimple();
            from = as.operand(0);
        }
        if (!(from instanceof SqlIdentifier)) {
            throw new Unsupported("a subquery or function in FROM");
        }
        return alias;
    }

    private static PgRelation relation(RelOptTable table) throws Unsupported {
        RelationTable r = table.unwrap(RelationTable.class);
        if (r == null) {
            throw new Unsupported("a source that is not a table: " + table.getQualifiedName());
        }
        return r.relation();
    }

    private static List<Project.Output> outputs(SqlSelect select, SourceText text, PgRelation relation,
            LogicalProject project) throws Unsupported {
        List<String> names = project.getRowType().getFieldNames();
        List<String> expressions = new ArrayList<>();
        for (SqlNode item : select.getSelectList()) {
            if (item instanceof SqlIdentifier id && id.isStar()) {
                for (PgColumn c : relation.columns()) {
                    expressions.add('"' + c.name().replace("\"", "\"\"") + '"'); // always quoted: keywords too
                }
            } else if (item.getKind() == SqlKind.AS) {
                expressions.add(text.cut(((SqlBasicCall) item).operand(0).getParserPosition()));
            } else {
                expressions.add(text.cut(item.getParserPosition()));
            }
        }
        if (expressions.size() != names.size()) {
            throw new Unsupported("a select list the planner cannot map to its columns");
        }
        List<Project.Output> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String passed = project.getProjects().get(i) instanceof RexInputRef ref
                    ? relation.columns().get(ref.getIndex()).name() : null;
            out.add(new Project.Output(names.get(i), expressions.get(i), passed));
        }
        return out;
    }
}
