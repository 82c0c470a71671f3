package io.pgtrickle.planner.tree;

import io.pgtrickle.planner.calcite.QueryAnalyzer;
import io.pgtrickle.planner.calcite.RelationTable;
import io.pgtrickle.planner.catalog.PgColumn;
import io.pgtrickle.planner.catalog.PgRelation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.sql.JoinType;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.parser.SqlParserPos;

/**
 * Maps an analysed query to the canonical operator tree. It knows select-project-join queries: scans
 * of tables, inner and outer joins of them as {@link JoinLayout} takes them (the conditions stay in the
 * FROM or WHERE text), an optional filter with [NOT] EXISTS / [NOT] IN subqueries ({@link Subqueries}) and
 * a projection; and grouped or DISTINCT queries over one table. Anything else is {@link Unsupported},
 * naming the construct, so the caller falls back to FULL refresh.
 */
public final class TreeBuilder {

    /** A query the operator tree cannot express (yet): the reason names the construct. */
    public static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        public Unsupported(String reason) {
            super(reason);
        }
    }

    /** Said of a construct refused in a query with views, which the planner reads as subqueries in FROM. */
    private static final String VIEWS_READ_AS = " (a view is read as a subquery in FROM)";

    private TreeBuilder() {
    }

    /**
     * The tree of an analysed query, its expressions cut from {@code text} (the query as the user wrote it);
     * {@code analyzer} analyses the query without its WHERE subqueries when it has some.
     */
    public static Operator build(QueryAnalyzer analyzer, QueryAnalyzer.Analyzed query, String text) throws Unsupported {
        Inliner.Inlined inlined = query.parsed() instanceof org.apache.calcite.sql.SqlWith with
                ? Inliner.ctes(with, text, query.sql())
                : analyzer.catalog().hasViews() ? Inliner.views(query.parsed(), text, query.sql(), analyzer.catalog()) : null;
        if (inlined != null) {
            try {
                return build(analyzer, analyzer.analyze(inlined.parsed()), inlined.text());
            } catch (QueryAnalyzer.NotAnalyzable e) {
                throw new Unsupported(e.getMessage());
            } catch (Unsupported e) {
                boolean views = !(query.parsed() instanceof org.apache.calcite.sql.SqlWith);
                throw views && e.getMessage().contains(" in FROM") && !e.getMessage().endsWith(VIEWS_READ_AS)
                        ? new Unsupported(e.getMessage() + VIEWS_READ_AS) : e;
            }
        }
        if (UnionDistinct.is(query.parsed())) {
            Inliner.Inlined distinct = UnionDistinct.rewrite(query.parsed(), text, query.sql(),
                    query.plan().getRowType().getFieldNames());
            try {
                return build(analyzer, analyzer.analyze(distinct.parsed()), distinct.text());
            } catch (QueryAnalyzer.NotAnalyzable e) {
                throw new Unsupported(e.getMessage());
            }
        }
        if (query.parsed().getKind() == SqlKind.UNION) {
            return unionAll(analyzer, query, text);
        }
        if (!(query.parsed() instanceof SqlSelect select)) {
            throw new Unsupported(describeTop(query.parsed()));
        }
        List<String> aliases = checkSelect(select);
        SourceText source = new SourceText(text);
        boolean derived = DerivedFrom.has(select.getFrom());
        if (hasSubquery(select.getWhere())) {
            if (derived) {
                throw new Unsupported("subqueries in the WHERE of a query with a subquery in FROM");
            }
            return withSubqueries(analyzer, query, select, source, text);
        }
        RelNode rel = query.plan();
        if (isAggregate(rel) || rel instanceof LogicalProject p && isAggregate(p.getInput())) {
            return GroupedQuery.of(select, aliases, source, rel);
        }
        if (derived) {
            return overDerivedTables(select, (SqlSelect) query.validated(), source, rel);
        }
        if (!(rel instanceof LogicalProject project)) {
            throw new Unsupported(construct(rel));
        }
        RelNode below = project.getInput();
        LogicalFilter where = below instanceof LogicalFilter filter ? filter : null;
        if (where != null) {
            below = where.getInput();
        }
        JoinLayout joins = JoinLayout.of(below);
        if (joins.scans.size() != aliases.size()) {
            throw new Unsupported("a FROM clause the planner cannot match to its tables");
        }
        if (where != null && !joins.nullExtendedReadBy(where.getCondition()).isEmpty()) {
            throw new Unsupported("a WHERE condition that reads the NULL-extended side of an outer join "
                    + "(a condition on it belongs in the ON clause; NOT EXISTS says \"no match\")");
        }
        List<Scan> scans = new ArrayList<>();
        for (int i = 0; i < joins.scans.size(); i++) {
            scans.add(new Scan(relation(joins.scans.get(i).getTable()), aliases.get(i)));
        }
        Operator op = scans.size() == 1 ? scans.get(0) : join(select, source, scans, joins.anchors);
        if (where != null) {
            op = new Filter(op, source.cut(select.getWhere().getParserPosition()));
        }
        List<Project.ColumnRef> layout = joins.fields;
        return new Project(op, outputs(select, source, scans, layout, project),
                source.cut(span(select.getSelectList())));
    }

    /** A top-level UNION ALL: each branch analysed on its own, and each a select-project-join. */
    private static Operator unionAll(QueryAnalyzer analyzer, QueryAnalyzer.Analyzed query, String text) throws Unsupported {
        List<SqlNode> selects = new ArrayList<>();
        unionBranches(query.parsed(), selects);
        SourceText source = new SourceText(text);
        List<Operator> branches = new ArrayList<>();
        for (SqlNode select : selects) {
            int[] r = source.stripped(span(select));
            Operator branch;
            try {
                branch = build(analyzer, analyzer.analyze(query.sql().substring(r[0], r[1])), text.substring(r[0], r[1]));
            } catch (QueryAnalyzer.NotAnalyzable e) {
                throw new Unsupported(e.getMessage());
            }
            Operator below = branch instanceof Project p ? p.input() : null;
            if (below instanceof Filter f) {
                if (!f.subqueries().isEmpty()) {
                    throw new Unsupported("subqueries in the WHERE of a UNION ALL branch");
                }
                below = f.input();
            }
            if (!(below instanceof Scan || below instanceof Join)) {
                throw new Unsupported("a UNION ALL branch that is not a select-project-join (" + branch.describe() + ")");
            }
            if (below instanceof Join j && !j.anchors().isEmpty()) {
                throw new Unsupported("outer joins in a UNION ALL branch");
            }
            branches.add(branch);
        }
        return new UnionAll(branches);
    }

    private static void unionBranches(SqlNode node, List<SqlNode> out) throws Unsupported {
        if (node.getKind() == SqlKind.UNION) {
            SqlBasicCall union = (SqlBasicCall) node;
            if (!((org.apache.calcite.sql.SqlSetOperator) union.getOperator()).isAll()) {
                throw new Unsupported("UNION (without ALL) beside UNION ALL");
            }
            unionBranches(union.operand(0), out);
            unionBranches(union.operand(1), out);
        } else if (node instanceof SqlSelect) {
            out.add(node);
        } else {
            throw new Unsupported(describeTop(node) + " in a UNION ALL branch");
        }
    }

    /**
     * A select-project-join query whose FROM clause holds derived tables: maintained by counting its rows
     * over the FROM clause's changed rows, so no key is passed on ({@link DerivedFrom}).
     */
    private static Operator overDerivedTables(SqlSelect select, SqlSelect validated, SourceText source, RelNode rel)
            throws Unsupported {
        if (!(rel instanceof LogicalProject project)) {
            throw new Unsupported(construct(rel));
        }
        Join join = derivedJoin(select, source, rel, "a subquery in FROM");
        Operator op = join;
        if (select.getWhere() != null) {
            op = new Filter(op, source.cut(select.getWhere().getParserPosition()));
        }
        List<String> names = project.getRowType().getFieldNames();
        List<String> expressions = starsExpanded(select.getSelectList(), validated.getSelectList(), source);
        if (expressions.size() != names.size()) {
            throw new Unsupported("a select list the planner cannot map to its columns");
        }
        List<Project.Output> outputs = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            outputs.add(new Project.Output(names.get(i), expressions.get(i), null));
        }
        return new Project(op, outputs, source.cut(span(select.getSelectList())));
    }

    /**
     * The expressions of a select list, each {@code *} or {@code x.*} as the columns it stands for
     * ({@code "x"."c"}: the refresh's own columns of a derived table are not among them), read from Calcite's
     * validated select list, where the star's columns are identifiers at the star's position.
     */
    private static List<String> starsExpanded(SqlNodeList items, SqlNodeList validated, SourceText source)
            throws Unsupported {
        List<String> out = new ArrayList<>();
        int v = 0;
        for (SqlNode item : items) {
            if (!(item instanceof SqlIdentifier id && id.isStar())) {
                SqlNode expression = item.getKind() == SqlKind.AS ? ((SqlBasicCall) item).operand(0) : item;
                out.add(source.cut(expression.getParserPosition()));
                v++;
                continue;
            }
            int before = out.size();
            for (; v < validated.size(); v++) {
                SqlNode named = validated.get(v);
                SqlNode column = named.getKind() == SqlKind.AS ? ((SqlBasicCall) named).operand(0) : named;
                boolean atStar = column.getParserPosition().equals(item.getParserPosition());
                if (atStar && column instanceof SqlIdentifier c && c.names.size() == 2) {
                    out.add(quoted(c.names.get(0)) + "." + quoted(c.names.get(1)));
                } else if (column.getKind() == SqlKind.COALESCE && named.getKind() == SqlKind.AS
                        && (atStar || named.getParserPosition().getLineNum() == 0)) {
                    // a column of USING or NATURAL, which Calcite writes with no position: its name alone means
                    // it (the joins here are inner joins)
                    out.add(quoted(((SqlIdentifier) ((SqlBasicCall) named).operand(1)).getSimple()));
                } else {
                    break;
                }
            }
            if (out.size() == before) {
                throw new Unsupported("a * the planner cannot expand to its columns");
            }
        }
        return out;
    }

    /** The FROM clause with derived tables as a join, refused where the refresh could not read it through them. */
    static Join derivedJoin(SqlSelect select, SourceText source, RelNode rel, String what) throws Unsupported {
        Join join = DerivedFrom.of(select, source, rel);
        if (hasSchemaQualifiedColumn(select)) {
            // the refresh reads each table through a derived table of the table's name, which a schema cannot prefix
            throw new Unsupported("a column named with its table's schema (schema.table.column) beside " + what);
        }
        return join;
    }

    /**
     * A select-project-join query whose WHERE has [NOT] EXISTS or [NOT] IN subqueries: the tree of the query
     * with them blanked to TRUE, under a filter of the whole WHERE that names them.
     */
    private static Operator withSubqueries(QueryAnalyzer analyzer, QueryAnalyzer.Analyzed query, SqlSelect select,
            SourceText source, String text) throws Unsupported {
        Subqueries.Found found = Subqueries.find(select.getWhere(), source, query.sql(), query.plan());
        Operator outer;
        try {
            outer = build(analyzer, analyzer.analyze(found.shadow()), text);
        } catch (QueryAnalyzer.NotAnalyzable e) {
            throw new Unsupported(e.getMessage());
        }
        Project project = (Project) outer;
        if (project.input() instanceof Aggregate a) {
            // grouped: the WHERE (the user's text, subqueries and all) under the aggregate names them
            if (!(a.input() instanceof Filter f) || !(f.input() instanceof Scan || f.input() instanceof Join)) {
                throw new Unsupported("subqueries in the WHERE of a grouped query the planner cannot match to its tables");
            }
            if (f.input() instanceof Join join && !join.derived().isEmpty()) {
                throw new Unsupported("subqueries in the WHERE of a grouped query with a subquery in FROM");
            }
            // the WHERE cut again from the query as written: the blanked one ends early
            String where = source.cut(select.getWhere().getParserPosition());
            List<String> plain = new ArrayList<>();
            for (SqlNode term : conjuncts(select.getWhere())) {
                if (!hasSubquery(term)) {
                    plain.add("(" + source.cut(term.getParserPosition()) + ")");
                }
            }
            Filter filter = new Filter(f.input(), where, found.subqueries(), plain.isEmpty() ? null : String.join(" AND ", plain));
            Aggregate withSubqueries = new Aggregate(filter, a.groupKeys(),
                    a.groupBy(), a.having(), a.outputGroups(), a.outputCalls());
            return new Project(withSubqueries, project.outputs(), project.selectList());
        }
        Operator below = project.input() instanceof Filter f ? f.input() : project.input();
        if (below instanceof Join join && !join.anchors().isEmpty()) {
            throw new Unsupported("subqueries in the WHERE of a query with outer joins");
        }
        if (!(below instanceof Scan || below instanceof Join)) {
            throw new Unsupported("subqueries in the WHERE of a grouped query");
        }
        return new Project(new Filter(below, source.cut(select.getWhere().getParserPosition()), found.subqueries()),
                project.outputs(), project.selectList());
    }

    private static boolean isAggregate(RelNode rel) {
        return rel instanceof LogicalAggregate || rel instanceof LogicalFilter f && f.getInput() instanceof LogicalAggregate;
    }

    /** The table or join below an aggregate's projections and filters (the WHERE clause's). */
    static RelNode fromItem(RelNode node, String what) throws Unsupported {
        while (node instanceof LogicalProject || node instanceof LogicalFilter) {
            node = node.getInput(0);
        }
        if (node instanceof LogicalAggregate && what.equals("DISTINCT")) {
            throw new Unsupported("DISTINCT over grouped rows");
        }
        if (!(node instanceof TableScan || node instanceof LogicalJoin)) {
            throw new Unsupported(construct(node));
        }
        return node;
    }

    /** The join of {@code scans}, with where each table's name is in the FROM clause's text. */
    static Join join(SqlSelect select, SourceText source, List<Scan> scans, Map<Integer, List<Integer>> anchors) {
        SqlParserPos from = span(select.getFrom());
        int start = source.stripped(from)[0];
        List<SqlParserPos> tables = new ArrayList<>();
        tablePositions(select.getFrom(), tables);
        List<Join.Range> ranges = new ArrayList<>();
        for (SqlParserPos table : tables) {
            int[] r = source.stripped(table);
            ranges.add(new Join.Range(r[0] - start, r[1] - start));
        }
        return new Join(scans, source.cut(from), anchors, ranges);
    }

    /** The positions of the table names in a FROM clause, in order. */
    private static void tablePositions(SqlNode from, List<SqlParserPos> out) {
        if (from instanceof SqlJoin join) {
            tablePositions(join.getLeft(), out);
            tablePositions(join.getRight(), out);
        } else if (from.getKind() == SqlKind.AS) {
            tablePositions(((SqlBasicCall) from).operand(0), out);
        } else {
            out.add(from.getParserPosition());
        }
    }

    /** Whether a column anywhere in the query is named with three or more parts ({@code public.src.id}). */
    static boolean hasSchemaQualifiedColumn(SqlNode node) {
        if (node instanceof SqlIdentifier id) {
            return id.names.size() > 2;
        }
        if (node instanceof SqlJoin join) { // its table names are not columns
            return hasSchemaQualifiedColumn(join.getCondition());
        }
        if (node instanceof SqlSelect select) {
            return hasSchemaQualifiedColumn(select.getSelectList()) || hasSchemaQualifiedColumn(select.getWhere())
                    || hasSchemaQualifiedColumn(select.getGroup()) || hasSchemaQualifiedColumn(select.getHaving())
                    || select.getFrom() instanceof SqlJoin j && hasSchemaQualifiedColumn(j);
        }
        if (node instanceof SqlCall call) {
            return call.getOperandList().stream().anyMatch(TreeBuilder::hasSchemaQualifiedColumn);
        }
        if (node instanceof SqlNodeList list) {
            for (SqlNode item : list) {
                if (hasSchemaQualifiedColumn(item)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The text span of a parse-tree node and everything below it. */
    static SqlParserPos span(SqlNode node) {
        return spanOf(List.of(node));
    }

    /** The text span of parse-tree nodes and everything below them (not a list's own keyword). */
    static SqlParserPos spanOf(List<SqlNode> nodes) {
        List<SqlParserPos> positions = new ArrayList<>();
        nodes.forEach(n -> collectPositions(n, positions));
        SqlParserPos first = positions.get(0);
        SqlParserPos last = positions.get(0);
        for (SqlParserPos p : positions) {
            if (p.getLineNum() < first.getLineNum()
                    || p.getLineNum() == first.getLineNum() && p.getColumnNum() < first.getColumnNum()) {
                first = p;
            }
            if (p.getEndLineNum() > last.getEndLineNum()
                    || p.getEndLineNum() == last.getEndLineNum() && p.getEndColumnNum() > last.getEndColumnNum()) {
                last = p;
            }
        }
        return new SqlParserPos(first.getLineNum(), first.getColumnNum(), last.getEndLineNum(), last.getEndColumnNum());
    }

    private static void collectPositions(SqlNode node, List<SqlParserPos> out) {
        if (node == null) {
            return;
        }
        SqlParserPos p = node.getParserPosition();
        if (p != null && p.getLineNum() > 0) {
            out.add(p);
        }
        if (node instanceof SqlCall call) {
            for (SqlNode operand : call.getOperandList()) {
                collectPositions(operand, out);
            }
        } else if (node instanceof SqlNodeList list) {
            for (SqlNode item : list) {
                collectPositions(item, out);
            }
        }
    }

    /** The user's construct behind a plan node the tree cannot take. */
    static String construct(RelNode rel) {
        if (rel instanceof org.apache.calcite.rel.core.Aggregate) {
            return "aggregates";
        }
        if (rel instanceof org.apache.calcite.rel.core.Join || rel instanceof org.apache.calcite.rel.core.Correlate) {
            return "subqueries (EXISTS, IN, scalar subqueries)";
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

    /**
     * Refuses what the tree cannot express; gives the aliases of the tables read, in FROM order (null
     * where a table has none).
     */
    private static List<String> checkSelect(SqlSelect select) throws Unsupported {
        if (hasSubquery(select.getHaving()) || hasSubquery(select.getGroup())) {
            throw new Unsupported("subqueries (EXISTS, IN, scalar subqueries)");
        }
        if (select.getWindowList() != null && !select.getWindowList().isEmpty()) {
            throw new Unsupported("window functions");
        }
        if (select.getFrom() == null) {
            throw new Unsupported("a query without FROM");
        }
        if (hasSubquery(select.getSelectList())) {
            throw new Unsupported("subqueries in the select list");
        }
        List<String> aliases = new ArrayList<>();
        if (!DerivedFrom.has(select.getFrom())) { // (DerivedFrom checks a FROM clause with derived tables)
            fromItems(select.getFrom(), aliases);
        }
        return aliases;
    }

    private static void fromItems(SqlNode from, List<String> aliases) throws Unsupported {
        if (from instanceof SqlJoin join) {
            JoinType type = join.getJoinType();
            if (type == JoinType.FULL) {
                throw new Unsupported("FULL outer joins");
            }
            if (type != JoinType.INNER && type != JoinType.COMMA && type != JoinType.CROSS
                    && type != JoinType.LEFT && type != JoinType.RIGHT) {
                throw new Unsupported(type + " joins");
            }
            fromItems(join.getLeft(), aliases);
            fromItems(join.getRight(), aliases);
            return;
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
        aliases.add(alias);
    }

    /** The top-level AND terms of a condition. */
    private static List<SqlNode> conjuncts(SqlNode condition) {
        List<SqlNode> out = new ArrayList<>();
        if (condition.getKind() == SqlKind.AND) {
            for (SqlNode operand : ((SqlCall) condition).getOperandList()) {
                out.addAll(conjuncts(operand));
            }
        } else {
            out.add(condition);
        }
        return out;
    }

    static boolean hasSubquery(SqlNode node) {
        if (node == null) {
            return false;
        }
        if (node instanceof SqlSelect || node.getKind() == SqlKind.WITH || node.getKind() == SqlKind.UNION) {
            return true;
        }
        if (node instanceof SqlCall call) {
            for (SqlNode operand : call.getOperandList()) {
                if (hasSubquery(operand)) {
                    return true;
                }
            }
        } else if (node instanceof SqlNodeList list) {
            for (SqlNode item : list) {
                if (hasSubquery(item)) {
                    return true;
                }
            }
        }
        return false;
    }

    static PgRelation relation(RelOptTable table) throws Unsupported {
        RelationTable r = table.unwrap(RelationTable.class);
        if (r == null) {
            throw new Unsupported("a source that is not a table: " + table.getQualifiedName());
        }
        return r.relation();
    }

    private static List<Project.Output> outputs(SqlSelect select, SourceText text, List<Scan> scans,
            List<Project.ColumnRef> layout, LogicalProject project) throws Unsupported {
        List<String> names = project.getRowType().getFieldNames();
        List<String> expressions = new ArrayList<>();
        for (SqlNode item : select.getSelectList()) {
            if (item instanceof SqlIdentifier id && id.isStar()) {
                for (Scan scan : scans) {
                    String ref = scan.alias() != null ? scan.alias() : scan.relation().name();
                    if (id.names.size() > 1 && !id.names.get(id.names.size() - 2).equals(ref)) {
                        continue; // t.* of another table
                    }
                    for (PgColumn c : scan.relation().columns()) {
                        // always quoted: keywords too; qualified where several tables could have the name
                        expressions.add((scans.size() > 1 ? quoted(ref) + "." : "") + quoted(c.name()));
                    }
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
            Project.ColumnRef passed = project.getProjects().get(i) instanceof RexInputRef ref
                    ? layout.get(ref.getIndex()) : null;
            out.add(new Project.Output(names.get(i), expressions.get(i), passed));
        }
        return out;
    }

    static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
