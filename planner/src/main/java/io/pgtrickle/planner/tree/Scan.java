package io.pgtrickle.planner.tree;

import io.pgtrickle.planner.catalog.PgRelation;
import java.util.List;

/** Reads a source relation; its changes come from the relation's change buffer. */
public record Scan(PgRelation relation) implements Operator {

    @Override
    public String describe() {
        return "Scan[" + relation.qualifiedName()
                + (relation.primaryKey().isEmpty() ? " no key" : " key (" + String.join(", ", relation.primaryKey()) + ")")
                + "]";
    }

    @Override
    public List<Operator> inputs() {
        return List.of();
    }
}
