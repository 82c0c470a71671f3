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

    /**
     * Analyses a defining query against the catalog of the relations it reads.
     *
     * @param query the query with each PostgreSQL {@code operand::type} cast already in parentheses
     *     (the engine does it with its lexer, {@code io.pgtrickle.sql.lex.Casts}): Calcite's Babel parser
     *     binds {@code ::} to the whole expression on its left, PostgreSQL to the primary before it, and a
     *     cast left bare could be read wrong without an error (CALCITE_NOTES.md)
     */
    public static Analysis analyze(String query, PgCatalog catalog) {
        return analyze(query, query, catalog);
    }

    /**
     * As {@link #analyze(String, PgCatalog)}, with Calcite reading {@code parsed}: the query with
     * operators Calcite does not know replaced by ones it does, of the same length (the engine's
     * {@code io.pgtrickle.sql.lex.CalciteMask}). Expressions are cut from {@code query} at the positions
     * Calcite found in {@code parsed}.
     */
    public static Analysis analyze(String query, String parsed, PgCatalog catalog) {
        if (query.length() != parsed.length()) {
            throw new IllegalArgumentException("the parsed text must be as long as the query");
        }
        try {
            QueryAnalyzer analyzer = new QueryAnalyzer(catalog);
            return new Maintainable(TreeBuilder.build(analyzer, analyzer.analyze(parsed), query));
        } catch (QueryAnalyzer.NotAnalyzable | TreeBuilder.Unsupported e) {
            return new NotMaintainable(e.getMessage());
        }
    }
}
