package io.pgtrickle.planner;

import io.pgtrickle.planner.calcite.QueryAnalyzer;
import io.pgtrickle.planner.catalog.PgCatalog;
import io.pgtrickle.planner.tree.Operator;
import io.pgtrickle.planner.tree.TreeBuilder;

/**
 * The planner's entry point: a defining query and the catalog it reads in, the operator tree to
 * maintain incrementally out, or the reason it cannot be (the caller then refreshes FULL and names
 * the reason). Pure: no database connection, no state.
 */
public final class Planner {

    /** What the planner made of a defining query. */
    public sealed interface Analysis permits Maintainable, NotMaintainable {
    }

    /** The query maps to an operator tree that has a delta rule at every node. */
    public record Maintainable(Operator tree) implements Analysis {
    }

    /** The query cannot be maintained incrementally (yet); {@code reason} names the construct. */
    public record NotMaintainable(String reason) implements Analysis {
    }

    private Planner() {
    }

    public static Analysis analyze(String query, PgCatalog catalog) {
        String guarded = guard(query);
        if (guarded != null) {
            return new NotMaintainable(guarded);
        }
        try {
            return new Maintainable(TreeBuilder.build(new QueryAnalyzer(catalog).analyze(query)));
        } catch (QueryAnalyzer.NotAnalyzable | TreeBuilder.Unsupported e) {
            return new NotMaintainable(e.getMessage());
        }
    }

    /**
     * Syntax Calcite would take but get wrong (CALCITE_NOTES.md, "Silent wrong results"): PostgreSQL's
     * {@code ::} binds to the operand before it, Babel's to the whole expression before it. Refused
     * until the engine's lexer parenthesises each {@code operand::type} before the planner sees it.
     */
    private static String guard(String query) {
        return query.contains("::") ? "PostgreSQL's :: casts (write CAST(x AS type) to have the query maintained "
                + "incrementally)" : null;
    }
}
