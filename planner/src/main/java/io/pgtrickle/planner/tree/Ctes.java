package io.pgtrickle.planner.tree;

import io.pgtrickle.planner.tree.TreeBuilder.Unsupported;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Inlines a query's non-recursive common table expressions: {@code WITH a AS (q) SELECT ... FROM a x}
 * becomes {@code SELECT ... FROM (q) x}, each reference its own derived table (a later CTE's references
 * to an earlier one inlined too). PostgreSQL itself inlines a CTE that is not MATERIALIZED, and a query
 * without volatile functions (the only ones maintained) means the same either way; the planner then
 * maintains the derived tables ({@link DerivedFrom}). The text Calcite reads and the user's text are
 * rewritten alike, at the same positions, so they stay of one length.
 */
final class Ctes {
    /** The query without its WITH clause, in the user's text and in the text Calcite reads. */
    record Inlined(String text, String parsed) {
    }

    private record Edit(int start, int end, String text, String parsed) {
    }

    private final SourceText source;
    private final String text;
    private final String parsed;
    /** The inlined body of each CTE seen so far, in both texts. */
    private final Map<String, String[]> bodies = new LinkedHashMap<>();

    private Ctes(String text, String parsed) {
        this.source = new SourceText(text);
        this.text = text;
        this.parsed = parsed;
    }

    static Inlined inline(SqlWith with, String text, String parsed) throws Unsupported {
        Ctes ctes = new Ctes(text, parsed);
        for (SqlNode node : with.withList) {
            SqlWithItem item = (SqlWithItem) node;
            if (item.recursive != null && item.recursive.booleanValue()) {
                throw new Unsupported("WITH RECURSIVE");
            }
            if (item.columnList != null && !item.columnList.isEmpty()) {
                throw new Unsupported("column names on a common table expression (name them in its select list)");
            }
            String name = item.name.getSimple();
            ctes.bodies.put(name, ctes.rewrite(item.query));
        }
        String[] body = ctes.rewrite(with.body);
        return new Inlined(body[0], body[1]);
    }

    /** The text of {@code node} in both texts, with every reference to a CTE seen so far inlined. */
    private String[] rewrite(SqlNode node) throws Unsupported {
        int[] range = source.stripped(TreeBuilder.span(node));
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
            if (id.isSimple() && bodies.containsKey(id.getSimple())) {
                String[] body = bodies.get(id.getSimple());
                String alias = aliased ? "" : " AS " + quoted(id.getSimple());
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
