package io.pgtrickle.planner.maintain;

import io.pgtrickle.planner.catalog.PgRelation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The windows of one delta statement: one CTE per source relation, however often the query reads it
 * (a self join, a table in two UNION ALL branches). Named {@code __pgt_window} when the statement reads
 * one relation, else {@code __pgt_window_1}, ...; names are given once every relation is registered.
 */
final class Windows {
    private final Target target;
    private final Map<String, String> buffers;
    private final Map<String, PgRelation> relations = new LinkedHashMap<>();

    Windows(Target target, Map<String, String> buffers) {
        this.target = target;
        this.buffers = buffers;
    }

    /** The columns of a relation that its window and the images drawn from it carry ({@link Target#readable}). */
    List<String> columns(PgRelation relation) {
        return target.readable(relation);
    }

    /** Registers a relation the statement reads. */
    void add(PgRelation relation) {
        relations.putIfAbsent(relation.qualifiedName(), relation);
    }

    /** The window CTE's name of a registered relation. */
    String name(PgRelation relation) {
        if (relations.size() == 1) {
            return "__pgt_window";
        }
        List<String> names = new ArrayList<>(relations.keySet());
        return "__pgt_window_" + (names.indexOf(relation.qualifiedName()) + 1);
    }

    /** The window CTEs, each followed by a comma. */
    String ctes() {
        StringBuilder out = new StringBuilder();
        for (PgRelation relation : relations.values()) {
            out.append(DeltaSql.window(name(relation), DeltaSql.storage(target), relation,
                    buffers.get(relation.qualifiedName()), DeltaSql.bufferColumns(columns(relation))));
        }
        return out.toString();
    }

    /** True when a window holds a TRUNCATE marker. */
    String truncated() {
        if (relations.size() == 1) {
            return DeltaSql.TRUNCATED;
        }
        StringJoiner any = new StringJoiner(" OR ", "(", ")");
        relations.values().forEach(r -> any.add("EXISTS (SELECT 1 FROM " + name(r) + " WHERE __pgt_op = 'T')"));
        return any.toString();
    }
}
