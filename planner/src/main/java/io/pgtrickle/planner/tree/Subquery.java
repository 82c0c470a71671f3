package io.pgtrickle.planner.tree;

import io.pgtrickle.planner.catalog.PgRelation;

/**
 * A subquery in the WHERE clause that has a delta rule: {@code [NOT] EXISTS (SELECT ... FROM t WHERE w)}
 * or {@code x [NOT] IN (SELECT y FROM t WHERE w)}, over one table, with no subquery inside. Its texts
 * are the user's; the condition {@code w} may read the outer query's tables.
 *
 * @param relation the table the subquery reads
 * @param alias the name the subquery gives it, or null when it gave none
 * @param where the subquery's WHERE condition, or null
 * @param left for IN, the expression on its left ({@code x}); null for EXISTS
 * @param item for IN, the subquery's one select-list item ({@code y}); null for EXISTS
 */
public record Subquery(PgRelation relation, String alias, String where, String left, String item) {

    /** The name the subquery's condition uses for its table. */
    public String reference() {
        return alias != null ? alias : relation.name();
    }

    String describe() {
        return (left == null ? "EXISTS" : "IN") + " over " + relation.qualifiedName()
                + (alias == null ? "" : " AS " + PgRelation.quote(alias));
    }
}
