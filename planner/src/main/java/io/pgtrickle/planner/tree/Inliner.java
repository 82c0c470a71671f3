package io.pgtrickle.planner.tree;

import io.pgtrickle.planner.catalog.PgCatalog;
import io.pgtrickle.planner.catalog.PgRelation;
import io.pgtrickle.planner.tree.TreeBuilder.Unsupported;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;

/**
 * Inlines named queries as derived tables, in the user's text and in the text Calcite reads alike, at the
 * same positions, so the two stay of one length; the planner then maintains the derived tables ({@link
 * DerivedFrom}).
 *
 * <p>A query's non-recursive common table expressions: {@code WITH a AS (q) SELECT ... FROM a x} becomes
 * {@code SELECT ... FROM (q) x}, each reference its own derived table (a later CTE's references to an
 * earlier one inlined too). PostgreSQL itself inlines a CTE that is not MATERIALIZED, and a query without
 * volatile functions (the only ones maintained) means the same either way.
 *
 * <p>Views: {@code FROM v} becomes {@code FROM (<v's definition>) AS "v"}, as PostgreSQL's rewriter does,
 * with the definition as PostgreSQL prints it (its relations schema-qualified, so the search path does not
 * matter). A view that reads another view is inlined again when the planner reads the result.
 */
final class Inliner {
    /** The query with its named queries inlined, in the user's text and in the text Calcite reads. */
    record Inlined(String text, String parsed) {
    }

    private record Edit(int start, int end, String text, String parsed) {
    }

    private final SourceText source;
    private final String text;
    private final String parsed;
    /** The inlined body of a name in a FROM clause, in both texts, or null when it names no such query. */
    private final Function<SqlIdentifier, String[]> lookup;
    private Inliner(String text, String parsed, Function<SqlIdentifier, String[]> lookup) {
        this.source = new SourceText(text);
        this.text = text;
        this.parsed = parsed;
        this.lookup = lookup;
    }

    /** The body of {@code with} with its CTEs inlined. */
    static Inlined ctes(SqlWith with, String text, String parsed) throws Unsupported {
        Map<String, String[]> bodies = new LinkedHashMap<>();
        Inliner ctes = new Inliner(text, parsed, id -> id.isSimple() ? bodies.get(id.getSimple()) : null);
        for (SqlNode node : with.withList) {
            SqlWithItem item = (SqlWithItem) node;
            if (item.recursive != null && item.recursive.booleanValue()) {
                throw new Unsupported("WITH RECURSIVE");
            }
            if (item.columnList != null && !item.columnList.isEmpty()) {
                throw new Unsupported("column names on a common table expression (name them in its select list)");
            }
            bodies.put(item.name.getSimple(), ctes.rewrite(item.query, ctes.source.stripped(TreeBuilder.span(item.query))));
        }
        String[] body = ctes.rewrite(with.body, ctes.source.stripped(TreeBuilder.span(with.body)));
        return new Inlined(body[0], body[1]);
    }

    /** The query with every view its FROM clauses name inlined, or null when they name none. */
    static Inlined views(SqlNode query, String text, String parsed, PgCatalog catalog) throws Unsupported {
        boolean[] found = {false};
        Inliner views = new Inliner(text, parsed, id -> {
            PgRelation.View view = catalog.resolve(id.names).map(PgRelation::view).orElse(null);
            found[0] |= view != null;
            return view == null ? null : new String[] {view.query(), view.parsed()};
        });
        String[] out = views.rewrite(query, new int[] {0, text.length()});
        return found[0] ? new Inlined(out[0], out[1]) : null;
    }

    /** The text of {@code node} in both texts, with every reference to a CTE seen so far inlined. */
    private String[] rewrite(SqlNode node, int[] range) throws Unsupported {
        List<Edit> edits = new ArrayList<>();
        references(node, edits);
        edits.sort(Comparator.comparingInt(Edit::start));
        StringBuilder outText = new StringBuilder();
        StringBuilder outParsed = new StringBuilder();
        int at = range[0];
        for (Edit e : edits) {
            outText.append(text, at, e.start()).append(e.text());
            outParsed.append(parsed, at, e.start()).append(e.parsed());
            at = e.end();
        }
        outText.append(text, at, range[1]);
        outParsed.append(parsed, at, range[1]);
        return new String[] {outText.toString(), outParsed.toString()};
    }

    /** The edits that inline the CTE references in the FROM clauses of {@code node} and its subqueries. */
    private void references(SqlNode node, List<Edit> edits) throws Unsupported {
        if (node == null) {
            return;
        }
        if (node instanceof SqlWith) {
            throw new Unsupported("WITH inside a query");
        }
        if (node instanceof SqlSelect select) {
            fromItem(select.getFrom(), edits);
            references(select.getSelectList(), edits);
            references(select.getWhere(), edits);
            references(select.getHaving(), edits);
            return;
        }
        if (node instanceof SqlCall call) {
            for (SqlNode operand : call.getOperandList()) {
                references(operand, edits);
            }
        } else if (node instanceof SqlNodeList list) {
            for (SqlNode item : list) {
                references(item, edits);
            }
        }
    }

    private void fromItem(SqlNode from, List<Edit> edits) throws Unsupported {
        if (from == null) {
            return;
        }
        if (from instanceof SqlJoin join) {
            fromItem(join.getLeft(), edits);
            fromItem(join.getRight(), edits);
            references(join.getCondition(), edits);
            return;
        }
        boolean aliased = from.getKind() == SqlKind.AS;
        SqlNode item = aliased ? ((SqlBasicCall) from).operand(0) : from;
        if (item instanceof SqlIdentifier id) {
            String[] body = lookup.apply(id);
            if (body != null) {
                String alias = aliased ? "" : " AS " + quoted(id.names.get(id.names.size() - 1));
                int[] r = source.stripped(id.getParserPosition());
                edits.add(new Edit(r[0], r[1], "(" + body[0] + ")" + alias, "(" + body[1] + ")" + alias));
            }
            return;
        }
        references(item, edits);
    }

    private static String quoted(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
