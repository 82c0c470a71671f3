package io.pgtrickle.planner.maintain;

import static io.pgtrickle.planner.maintain.DeltaSql.GROUP_PREFIX;
import static io.pgtrickle.planner.maintain.DeltaSql.ident;

import io.pgtrickle.planner.tree.Aggregate;
import io.pgtrickle.planner.tree.Scan;
import io.pgtrickle.planner.tree.Subquery;
import io.pgtrickle.planner.tree.TreeBuilder.Unsupported;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The delta of a grouped query over one table (with or without a primary key): GROUP BY with any
 * aggregates PostgreSQL has (COUNT, SUM, AVG, MIN, MAX, COUNT(DISTINCT), ...), HAVING, NULL group keys,
 * and aggregates over all rows. It recomputes the groups the window touched: the group keys of every
 * changed row's old and new image that passes the WHERE (the buffer holds both images) are the
 * affected groups, and the user's own query runs again for them, restricted through the leading group
 * key (a superset: groups sharing it are recomputed too, to the same values). Stored groups among them
 * that the query no longer gives are deleted (HAVING crossed, last row gone), changed ones updated, new
 * ones inserted. Deleting a group's minimum recomputes that group only; nothing is kept per group but
 * the result; every group key must be in the select list as it is (it is the row's identity). Group
 * keys compare with {@code IS NOT DISTINCT FROM}, as GROUP BY does, so a NULL key is a
 * group like any other; the storage's unique index on them is {@code NULLS NOT DISTINCT}. [NOT] EXISTS and
 * [NOT] IN subqueries in the WHERE add the groups of the rows whose subquery finds a changed row of its
 * table ({@link SubqueryProbes}); over LEFT and RIGHT outer joins, the groups are found through the rows no
 * outer join NULL-extends ({@link #outerJoinGroups}).
 */
final class AggregateDelta {
    private final Target target;
    private final RowChanges changes;
    /** The occurrences an outer join may NULL-extend (none without outer joins). */
    private final List<Integer> nullable;
    /** With outer joins: the key columns of the occurrences none NULL-extends, as the FROM clause names them. */
    private final List<String> rootKeys = new ArrayList<>();
    /** Outer joins beyond this many would need too many readings of the join (one per subset of them). */
    private static final int MAX_NULLABLE = 3;
    private final String predicate;
    /** The WHERE's terms without subqueries (null when none): a changed row's groups are those that pass them. */
    private final String plainPredicate;
    /** The WHERE clause's [NOT] EXISTS and [NOT] IN subqueries, each over one table (SubqueryProbes). */
    private final List<Subquery> subqueries;
    private final Map<String, String> buffers;
    private final Aggregate aggregate;
    private final String selectList;
    private final List<String> columns;
    /** Per group key: the storage column that holds it (quoted). */
    private final List<String> storageGroup = new ArrayList<>();

    AggregateDelta(Target target, RowChanges changes, String predicate, String plainPredicate, List<Subquery> subqueries,
            Map<Integer, List<Integer>> anchors, Aggregate aggregate, String selectList, List<String> columns,
            Map<String, String> buffers) throws Unsupported {
        this.target = target;
        this.nullable = new ArrayList<>(anchors.keySet());
        if (nullable.size() > MAX_NULLABLE) {
            throw new Unsupported("aggregates over more than " + MAX_NULLABLE + " outer joins");
        }
        for (int s = 0; s < changes.scans().size() && !nullable.isEmpty(); s++) {
            if (!anchors.containsKey(s)) {
                Scan root = changes.scans().get(s);
                if (root.relation().primaryKey().isEmpty()) {
                    throw new Unsupported("aggregates over an outer join whose preserved table has no primary key ("
                            + root.relation().qualifiedName() + ")");
                }
                root.relation().primaryKey().forEach(k -> rootKeys.add(DeltaSql.reference(root) + "." + ident(k)));
            }
        }
        this.changes = changes;
        this.predicate = predicate;
        this.plainPredicate = plainPredicate;
        this.subqueries = subqueries;
        this.buffers = buffers;
        this.aggregate = aggregate;
        this.selectList = selectList;
        this.columns = columns;
        for (int g = 0; g < aggregate.groupKeys().size(); g++) {
            int output = aggregate.outputGroups().indexOf(g);
            if (output < 0) {
                throw new Unsupported("a GROUP BY key the select list does not show as it is ("
                        + aggregate.groupKeys().get(g) + ")");
            }
            storageGroup.add(ident(columns.get(output)));
        }
    }

    MaintenancePlan compile() {
        List<MaintenancePlan.Index> indexes = new ArrayList<>();
        if (!storageGroup.isEmpty()) {
            indexes.add(new MaintenancePlan.Index(DeltaSql.unquoted(storageGroup), true, true));
        }
        return new MaintenancePlan(MaintenancePlan.Rule.GROUPS_RECOMPUTED, List.of(), indexes, populate(), delta());
    }

    /** The query with the hidden group columns; {@code restriction} (or null) joins the WHERE. */
    private String query(String restriction, String indent) {
        String where = predicate == null ? restriction
                : restriction == null ? predicate : "(" + predicate + ")\n" + indent + "  AND " + restriction;
        // the user's text is never re-indented: a newline may be inside a string literal
        return "SELECT " + selectList + "\n" + indent + "FROM " + changes.from()
                + (where == null ? "" : "\n" + indent + "WHERE " + where)
                + (aggregate.groupBy() == null ? "" : "\n" + indent + "GROUP BY " + aggregate.groupBy())
                + (aggregate.having() == null ? "" : "\n" + indent + "HAVING " + aggregate.having());
    }

    private String populate() {
        return query(null, "");
    }

    private String delta() {
        String st = DeltaSql.storage(target);
        String truncated = changes.windows().truncated();
        StringBuilder sql = new StringBuilder("WITH ").append(changes.windows().ctes());
        for (int k = 0; k < subqueries.size(); k++) {
            sql.append(SubqueryProbes.window(k, subqueries.get(k), target, buffers));
        }
        boolean grouped = !storageGroup.isEmpty();
        String restriction = null;
        if (grouped) {
            StringJoiner keys = new StringJoiner(", ");
            for (int g = 0; g < aggregate.groupKeys().size(); g++) {
                keys.add(aggregate.groupKeys().get(g) + " AS " + ident(GROUP_PREFIX + (g + 1)));
            }
            String first = ident(GROUP_PREFIX + 1);
            if (nullable.isEmpty()) {
                changedRowGroups(sql, keys.toString(), st, truncated);
            } else {
                outerJoinGroups(sql, keys.toString(), st, truncated);
            }
            String key = aggregate.groupKeys().get(0);
            restriction = "(" + key + " = ANY (ARRAY(SELECT " + first + " FROM __pgt_groups WHERE " + first
                    + " IS NOT NULL))\n           OR " + key + " IS NULL AND EXISTS (SELECT 1 FROM __pgt_groups WHERE "
                    + first + " IS NULL))";
        }
        sql.append("__pgt_new AS (\n")
                .append("    -- the affected groups as the query gives them now, with their key as one record value\n")
                .append("    SELECT q.*, ").append(grouped ? "ROW(" + DeltaSql.prefixed("q.", storageGroup) + ")" : "1")
                .append(" AS __pgt_gk FROM (\n")
                .append("    ").append(query(restriction, "    ")).append('\n')
                .append("    ) q\n")
                .append("),\n");
        sql.append("__pgt_old AS (\n")
                .append("    -- the stored rows of those groups\n")
                .append("    SELECT t.ctid AS __pgt_tid, ").append(grouped ? "ROW(" + DeltaSql.prefixed("t.", storageGroup) + ")" : "1")
                .append(" AS __pgt_gk")
                .append(" FROM ").append(st).append(" t");
        if (grouped) {
            sql.append(DeltaSql.storedGroups(storageGroup.get(0), "__pgt_groups"));
        }
        sql.append("\n),\n");
        String tids = "t.ctid = ANY (ARRAY(SELECT __pgt_tid FROM __pgt_old))";
        sql.append("__pgt_del AS (\n")
                .append("    DELETE FROM ").append(st).append(" t USING __pgt_old o\n")
                .append("    WHERE ").append(tids).append(" AND t.ctid = o.__pgt_tid\n")
                .append("      AND NOT EXISTS (SELECT 1 FROM __pgt_new n WHERE ").append(match("n", "o")).append(")\n")
                .append("    RETURNING 1\n")
                .append("),\n");
        if (!columns.isEmpty()) {
            sql.append("__pgt_upd AS (\n")
                    .append("    UPDATE ").append(st).append(" AS t\n")
                    .append(DeltaSql.updateSet(columns))
                    .append("    FROM __pgt_new n, __pgt_old o\n")
                    .append("    WHERE ").append(tids).append(" AND t.ctid = o.__pgt_tid AND ").append(match("n", "o"))
                    .append(DeltaSql.changed(columns, target.compareRows()))
                    .append("\n    RETURNING 1\n")
                    .append("),\n");
        }
        List<String> all = new ArrayList<>();
        columns.forEach(c -> all.add(ident(c)));
        sql.append("__pgt_ins AS (\n")
                .append("    INSERT INTO ").append(st).append(" (").append(String.join(", ", all)).append(")\n")
                .append("    SELECT ").append(DeltaSql.join(all, c -> "n." + c, ", ")).append(" FROM __pgt_new n\n")
                .append("    WHERE NOT EXISTS (SELECT 1 FROM __pgt_old o WHERE ").append(match("n", "o")).append(")\n")
                .append("    RETURNING 1\n")
                .append(")\n")
                .append(DeltaSql.result(columns.isEmpty() ? "0::bigint" : "(SELECT count(*) FROM __pgt_upd)",
                        "(SELECT count(*) FROM __pgt_del)", "0::bigint"));
        return sql.toString();
    }

    /**
     * The groups to recompute over one table or inner joins: those of the changed rows, old and new (one
     * reading per term of {@link RowChanges}); beside subqueries, also those of the rows whose subquery finds
     * a changed row; after a TRUNCATE, every stored one.
     */
    private void changedRowGroups(StringBuilder sql, String keys, String st, String truncated) {
        sql.append("__pgt_groups AS (\n")
                .append("    -- the groups of the changed rows, old and new; after a TRUNCATE, every stored one\n");
        // beside subqueries, a changed row's groups if it passes the WHERE's other terms (the subqueries'
        // answers for an old image are those of before the window, which the statement cannot ask): more
        // groups, never fewer
        String filter = plainPredicate;
        for (RowChanges.Term term : changes.terms()) {
            String where = term.gate() == null ? filter
                    : filter == null ? term.gate() : term.gate() + " AND (" + filter + ")";
            sql.append("    SELECT DISTINCT ").append(keys).append('\n')
                    .append("    FROM ").append(term.from()).append('\n')
                    .append(where == null ? "" : "    WHERE " + where + "\n")
                    .append("    UNION\n");
        }
        for (int k = 0; k < subqueries.size(); k++) {
            sql.append("    -- the groups of the rows whose subquery over ").append(subqueries.get(k).relation().qualifiedName())
                    .append(" finds a changed row of it\n")
                    .append("    SELECT DISTINCT ").append(keys).append('\n')
                    .append("    FROM ").append(changes.from()).append('\n')
                    // (an unchanged row passes the other terms now as it did before: they read only it)
                    .append("    WHERE ").append(plainPredicate == null ? "" : plainPredicate + "\n      AND (")
                    .append(SubqueryProbes.finds(k, subqueries.get(k), target)).append(plainPredicate == null ? "" : ")").append('\n')
                    .append("    UNION\n");
        }
        sql
                .append("    SELECT ").append(String.join(", ", storageGroup)).append(" FROM ").append(st)
                .append(" WHERE ").append(truncated).append('\n')
                .append("),\n");
    }

    /**
     * The groups to recompute over outer joins. A row of the tables no outer join NULL-extends (an anchor,
     * by its key) has result rows that may differ only if it changed or is joined with a changed row of
     * another table, before or now (a row of a table read as its images, whose sign column is then not
     * NULL): {@code __pgt_anchors}. Its groups are those of its result rows now, and as they were: the
     * tables as they were are read with their changed rows both ways (the signed X₀ taken as plain rows, a
     * superset of the rows that were there), which may hide a NULL-extended row that was (a new row then
     * joins where nothing did), so each subset of the NULL-extendable tables is also read as empty.
     */
    private void outerJoinGroups(StringBuilder sql, String keys, String st, String truncated) {
        int n = changes.scans().size();
        List<String> anchorNames = new ArrayList<>();
        for (int k = 0; k < rootKeys.size(); k++) {
            anchorNames.add("__pgt_anchor_" + (k + 1));
        }
        StringJoiner anchorSelect = new StringJoiner(", ");
        for (int k = 0; k < rootKeys.size(); k++) {
            anchorSelect.add(rootKeys.get(k) + " AS " + anchorNames.get(k));
        }
        StringBuilder anchors = new StringBuilder();
        for (int t = 0; t < n; t++) {
            int changed = t;
            for (RowChanges.State others : List.of(RowChanges.State.NOW, RowChanges.State.BEFORE)) {
                anchors.append(anchors.length() == 0 ? "" : "    UNION\n").append("    SELECT ").append(anchorSelect).append('\n')
                        .append("    FROM ").append(changes.from(s -> s == changed ? RowChanges.State.IMAGES : others))
                        .append('\n').append("    WHERE ").append(changes.signOf(t)).append(" IS NOT NULL\n");
            }
        }
        sql.append("__pgt_anchors AS (\n")
                .append("    -- rows of the tables no outer join NULL-extends, joined with a changed row before or now\n")
                .append(anchors).append("),\n");
        String anchored = (rootKeys.size() == 1 ? rootKeys.get(0) : "(" + String.join(", ", rootKeys) + ")")
                + " IN (SELECT " + String.join(", ", anchorNames) + " FROM __pgt_anchors)";
        String where = "    WHERE " + (predicate == null ? "" : "(" + predicate + ")\n      AND ") + anchored + "\n";
        sql.append("__pgt_groups AS (\n")
                .append("    -- the groups of those rows' result rows now, as they were, and NULL-extended as they were\n")
                .append("    SELECT DISTINCT ").append(keys).append('\n')
                .append("    FROM ").append(changes.from()).append('\n').append(where);
        for (int subset = 0; subset < (1 << nullable.size()); subset++) {
            int empty = subset;
            sql.append("    UNION\n    SELECT DISTINCT ").append(keys).append('\n')
                    .append("    FROM ").append(changes.from(s -> {
                        int i = nullable.indexOf(s);
                        return i >= 0 && (empty & (1 << i)) != 0 ? RowChanges.State.EMPTY : RowChanges.State.BEFORE;
                    })).append('\n').append(where);
        }
        sql.append("    UNION\n")
                .append("    SELECT ").append(String.join(", ", storageGroup)).append(" FROM ").append(st)
                .append(" WHERE ").append(truncated).append('\n')
                .append("),\n");
    }

    /**
     * The group keys of a recomputed row and a stored one the same, NULL matching NULL as in GROUP BY:
     * the keys compared as one record value ({@code record_eq} takes NULL fields as equal), which PostgreSQL
     * can hash or merge; column-wise {@code IS NOT DISTINCT FROM} could only be joined by nested loops,
     * quadratic in the affected groups.
     */
    private String match(String n, String o) {
        return n + ".__pgt_gk = " + o + ".__pgt_gk";
    }
}
