package io.pgtrickle.planner.tree;

import io.pgtrickle.planner.catalog.PgRelation;
import java.util.List;

/**
 * Reads a source relation; its changes come from the relation's change buffer.
 *
 * @param alias the name the query gives the relation ({@code FROM src s}), or null when it gave none
 */
public record Scan(PgRelation relation, String alias) implements Operator {

    @Override
    public String describe() {
        return "Scan[" + relation.qualifiedName() + (alias == null ? "" : " AS " + PgRelation.quote(alias))
                + (relation.primaryKey().isEmpty() ? " no key" : " key (" + String.join(", ", relation.primaryKey()) + ")")
                + "]";
    }

    @Override
    public List<Operator> inputs() {
        return List.of();
    }
}
