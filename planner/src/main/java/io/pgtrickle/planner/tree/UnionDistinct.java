package io.pgtrickle.planner.tree;

import io.pgtrickle.planner.tree.TreeBuilder.Unsupported;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSetOperator;

/**
 * A UNION (without ALL) as what it means: {@code SELECT DISTINCT <columns> FROM (<b1> UNION ALL <b2> ...) AS
 * "__pgt_union"}, in the user's text and in the text Calcite reads alike. The DISTINCT over the UNION ALL is
 * then maintained like any DISTINCT over a subquery in FROM: each distinct row counts the branch rows that
 * give it (decisions p and t). Under a UNION, every UNION and UNION ALL it holds is one DISTINCT over all the
 * branches; a UNION ALL over a UNION ({@code a UNION b UNION ALL c}) keeps some duplicates, and is refused.
 */
final class UnionDistinct {
    private UnionDistinct() {
    }

    /** Whether {@code node} is a UNION without ALL. */
    static boolean is(SqlNode node) {
        return node.getKind() == SqlKind.UNION && !((SqlSetOperator) ((SqlBasicCall) node).getOperator()).isAll();
    }

    /**
     * The rewritten query; {@code names} are the union's column names (its first branch's), which the
     * outer select list reads.
     */
    static Inliner.Inlined rewrite(SqlNode union, String text, String parsed, List<String> names) throws Unsupported {
        List<SqlNode> branches = new ArrayList<>();
        flatten(union, branches);
        SourceText source = new SourceText(text);
        StringJoiner inText = new StringJoiner("\nUNION ALL\n");
        StringJoiner inParsed = new StringJoiner("\nUNION ALL\n");
        for (SqlNode branch : branches) {
            int[] r = source.stripped(TreeBuilder.span(branch));
            inText.add(text.substring(r[0], r[1]));
            inParsed.add(parsed.substring(r[0], r[1]));
        }
        StringJoiner columns = new StringJoiner(", ");
        for (String name : names) {
            if (name.startsWith("EXPR$")) {
                throw new Unsupported("UNION with an unnamed expression in its first branch (name it with AS)");
            }
            columns.add("\"__pgt_union\"." + '"' + name.replace("\"", "\"\"") + '"');
        }
        String head = "SELECT DISTINCT " + columns + "\nFROM (\n";
        String tail = "\n) AS \"__pgt_union\"";
        return new Inliner.Inlined(head + inText + tail, head + inParsed + tail);
    }

    private static void flatten(SqlNode node, List<SqlNode> out) throws Unsupported {
        if (node.getKind() == SqlKind.UNION) {
            SqlBasicCall union = (SqlBasicCall) node;
            flatten(union.operand(0), out);
            flatten(union.operand(1), out);
        } else if (node instanceof SqlSelect) {
            out.add(node);
        } else {
            throw new Unsupported(node.getKind() + " in a UNION branch");
        }
    }
}
