package io.pgtrickle.planner.maintain;

import static io.pgtrickle.planner.maintain.DeltaSql.GROUP_PREFIX;
import static io.pgtrickle.planner.maintain.DeltaSql.ident;

import io.pgtrickle.planner.tree.Aggregate;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * The delta of a grouped query over one table whose every output is a group key or a plain
 * {@code count(*)}, {@code count(x)}, {@code sum(x)} or {@code avg(x)} over an exact argument
 * ({@link Aggregate.Call#exact()}), {@code min(x)} or {@code max(x)}, with no HAVING: the algebraic aggregates of DESIGN §4, maintained
 * from the changes alone. Each stored group keeps helper columns: {@code __pgt_count} (its rows),
 * per call {@code __pgt_nn_i} (rows where the argument is not NULL) and for SUM and AVG {@code
 * __pgt_sum_i} (the exact sum, numeric). A refresh adds up the window per group (+1 for each new image,
 * -1 for each old one that passes the WHERE), adds that to the stored helpers, and derives the visible
 * values from them: COUNT is a count, SUM is the sum or NULL when no argument is, AVG is the sum divided
 * by the count, as PostgreSQL computes it ({@code numeric_div} of the exact sum by the count). A group
 * whose count reaches 0 is deleted; a new one is inserted. The source is read only after a TRUNCATE (the
 * change is then the source as it is minus what was stored). A count below zero means the storage had
 * drifted from its query: the statement reports it as {@code missing} and the caller recomputes. A MIN or
 * MAX keeps its stored value as its state ({@link Extreme}): new rows move it by least/greatest, and only
 * a group that lost a row at or beyond its extreme reads its extremes again from the source.
 */
final class AlgebraicAggregateDelta {
    static final String COUNT = "__pgt_count";

    private final Target target;
    private final RowChanges changes;
    private final String predicate;
    private final Aggregate aggregate;
    private final List<String> columns;
    private final String selectList;
    /** Per output column: its derived value over the new state {@code x} (a group key, or a formula). */
    private final List<String> derived = new ArrayList<>();
    /** The helper columns after {@link #COUNT}, with their aggregate over the source and over the window. */
    private final List<Helper> helpers = new ArrayList<>();
    /** Per group key: the storage column that holds it (quoted). */
    private final List<String> storageGroup = new ArrayList<>();

    /** A helper column: its aggregate over the source, and over signed changed rows (given their sign). */
    private record Helper(String name, String type, String populate, Function<String, String> change) {
    }

    /**
     * A MIN or MAX output (its column index and argument): the stored value is the state. New rows can only
     * move it by {@code least} / {@code greatest}; a deleted row at or beyond it may have been it, and then
     * the group's extreme is read again from the source (that group only).
     */
    private record Extreme(int output, String argument, boolean min) {
        String fn() {
            return min ? "min" : "max";
        }

        String name() {
            return "__pgt_ext_" + (output + 1);
        }

        String inserted() {
            return "__pgt_ins_" + (output + 1);
        }

        String deleted() {
            return "__pgt_del_" + (output + 1);
        }

        /** Whether the deleted extreme {@code d} may have been the stored {@code o}. */
        String reached(String d, String o) {
            return d + " IS NOT NULL AND (" + o + " IS NULL OR " + d + (min ? " <= " : " >= ") + o + ")";
        }
    }

    private final List<Extreme> extremes = new ArrayList<>();

    /** Whether every output of {@code aggregate} is a group key or a call this rule maintains. */
    static boolean applies(Aggregate aggregate) {
        if (aggregate.having() != null) {
            return false;
        }
        for (int i = 0; i < aggregate.outputGroups().size(); i++) {
            Aggregate.Call call = aggregate.outputCalls().get(i);
            boolean algebraic = call != null && switch (call.function()) {
                case COUNT, MIN, MAX -> true;
                case SUM, AVG -> call.exact();
            };
            if (aggregate.outputGroups().get(i) < 0 && !algebraic) {
                return false;
            }
        }
        for (int g = 0; g < aggregate.groupKeys().size(); g++) {
            if (!aggregate.outputGroups().contains(g)) {
                return false;
            }
        }
        return true;
    }

    AlgebraicAggregateDelta(Target target, RowChanges changes, String predicate, Aggregate aggregate, String selectList,
            List<String> columns) {
        this.target = target;
        this.changes = changes;
        this.predicate = predicate;
        this.aggregate = aggregate;
        this.selectList = selectList;
        this.columns = columns;
        for (int g = 0; g < aggregate.groupKeys().size(); g++) {
            storageGroup.add(ident(columns.get(aggregate.outputGroups().indexOf(g))));
        }
        for (int i = 0; i < columns.size(); i++) {
            int group = aggregate.outputGroups().get(i);
            if (group >= 0) {
                derived.add("x." + ident(GROUP_PREFIX + (group + 1)));
                continue;
            }
            Aggregate.Call call = aggregate.outputCalls().get(i);
            if (call.argument() == null) {
                derived.add("x." + COUNT);
                continue;
            }
            String argument = "(" + call.argument() + ")";
            if (call.function() == Aggregate.Function.MIN || call.function() == Aggregate.Function.MAX) {
                Extreme e = new Extreme(i, argument, call.function() == Aggregate.Function.MIN);
                extremes.add(e);
                derived.add("x." + e.name());
                continue;
            }
            String nn = "__pgt_nn_" + (i + 1);
            helpers.add(new Helper(nn, "bigint", "count(" + argument + ")",
                    sign -> "sum(CASE WHEN " + argument + " IS NULL THEN 0 ELSE " + sign + " END)"));
            if (call.function() == Aggregate.Function.COUNT) {
                derived.add("x." + nn);
                continue;
            }
            String sum = "__pgt_sum_" + (i + 1);
            helpers.add(new Helper(sum, "numeric", "sum(" + argument + "::numeric)",
                    sign -> "sum(" + sign + " * " + argument + "::numeric)"));
            derived.add(call.function() == Aggregate.Function.SUM ? "x." + sum
                    : "x." + sum + " / nullif(x." + nn + ", 0)::numeric");
        }
    }

    MaintenancePlan compile() {
        List<MaintenancePlan.Column> hidden = new ArrayList<>();
        hidden.add(new MaintenancePlan.Column(COUNT, "bigint"));
        helpers.forEach(h -> hidden.add(new MaintenancePlan.Column(h.name(), h.type())));
        List<MaintenancePlan.Index> indexes = new ArrayList<>();
        if (!storageGroup.isEmpty()) {
            indexes.add(new MaintenancePlan.Index(DeltaSql.unquoted(storageGroup), true, true));
        }
        return new MaintenancePlan(MaintenancePlan.Rule.GROUPS_FROM_CHANGES, hidden, indexes, populate(), delta());
    }

    private String populate() {
        StringJoiner select = new StringJoiner(",\n       ");
        select.add(selectList).add("count(*) AS " + COUNT);
        helpers.forEach(h -> select.add(h.populate() + " AS " + h.name()));
        return "SELECT " + select + "\nFROM " + changes.from()
                + (predicate == null ? "" : "\nWHERE " + predicate)
                + (aggregate.groupBy() == null ? "" : "\nGROUP BY " + aggregate.groupBy());
    }

    private String delta() {
        String st = DeltaSql.storage(target);
        boolean grouped = !storageGroup.isEmpty();
        String truncated = changes.windows().truncated();
        List<String> groups = new ArrayList<>();
        StringJoiner keys = new StringJoiner(", ");
        for (int g = 0; g < storageGroup.size(); g++) {
            groups.add(ident(GROUP_PREFIX + (g + 1)));
            keys.add(aggregate.groupKeys().get(g) + " AS " + groups.get(g));
        }
        String groupBy = grouped ? "\n    GROUP BY " + DeltaSql.join(ordinals(groups.size()), o -> o, ", ") : "";
        String select = grouped ? keys + ", " : "";
        StringBuilder sql = new StringBuilder("WITH ").append(changes.windows().ctes());
        sql.append("__pgt_changes AS (\n")
                .append("    -- per group: the signed changed rows added up (+1 for each new one, -1 for each old one);\n")
                .append("    -- after a TRUNCATE, the source as it is now minus what was stored\n");
        for (RowChanges.Term term : changes.terms()) {
            sql.append("    SELECT ").append(select).append("sum(").append(term.sign()).append(") AS ").append(COUNT)
                    .append(helperList(h -> h.change().apply(term.sign()) + " AS " + h.name()))
                    .append(extremeList(e -> e.fn() + "(" + e.argument() + ") FILTER (WHERE " + term.sign() + " > 0) AS "
                            + e.inserted() + ",\n           " + e.fn() + "(" + e.argument() + ") FILTER (WHERE "
                            + term.sign() + " < 0) AS " + e.deleted())).append('\n')
                    .append("    FROM ").append(term.from()).append('\n')
                    .append("    WHERE ").append(term.gate() == null ? "" : term.gate() + " AND ").append("NOT ").append(truncated)
                    .append(predicate == null ? "" : " AND (" + predicate + ")")
                    .append(groupBy).append('\n')
                    .append("    UNION ALL\n");
        }
        sql.append("    SELECT ").append(select).append("count(*)").append(helperList(Helper::populate))
                .append(extremeList(e -> e.fn() + "(" + e.argument() + "), NULL")).append('\n')
                .append("    FROM ").append(changes.from()).append('\n')
                .append("    WHERE ").append(truncated).append(predicate == null ? "" : " AND (" + predicate + ")")
                .append(groupBy).append('\n')
                .append("    UNION ALL\n")
                .append("    SELECT ").append(grouped ? String.join(", ", storageGroup) + ", " : "").append("-").append(COUNT)
                .append(helperList(h -> "-" + h.name()))
                .append(extremeList(e -> "NULL, " + ident(columns.get(e.output()))))
                .append(" FROM ").append(st).append(" WHERE ").append(truncated)
                .append("\n),\n");
        // the branches above give a group several rows: one per group, keyed as one record value
        String gk = grouped ? "ROW(" + String.join(", ", groups) + ")" : "1";
        sql.append("__pgt_delta AS (\n")
                .append("    SELECT ").append(gk).append(" AS __pgt_gk, ").append(grouped ? String.join(", ", groups) + ", " : "")
                .append("coalesce(sum(").append(COUNT).append("), 0)::bigint AS ").append(COUNT)
                .append(helperList(h -> (h.type().equals("bigint") ? "coalesce(sum(" + h.name() + "), 0)::bigint" : "sum(" + h.name() + ")")
                        + " AS " + h.name()))
                .append(extremeList(e -> e.fn() + "(" + e.inserted() + ") AS " + e.inserted() + ", " + e.fn() + "("
                        + e.deleted() + ") AS " + e.deleted()))
                .append("\n    FROM __pgt_changes").append(grouped ? "\n    GROUP BY " + String.join(", ", groups) : "")
                .append("\n),\n");
        sql.append("__pgt_old AS (\n")
                .append("    -- the stored state of those groups\n")
                .append("    SELECT t.ctid AS __pgt_tid, ").append(grouped ? "ROW(" + DeltaSql.prefixed("t.", storageGroup) + ")" : "1")
                .append(" AS __pgt_gk, t.").append(COUNT).append(helperList(h -> "t." + h.name()))
                .append(extremeList(e -> "t." + ident(columns.get(e.output())) + " AS " + e.name()))
                .append(" FROM ").append(st).append(" t");
        if (grouped) {
            sql.append(DeltaSql.storedGroups(storageGroup.get(0), "__pgt_delta"));
        }
        sql.append("\n),\n");
        if (!extremes.isEmpty()) {
            StringJoiner reached = new StringJoiner(" OR ");
            extremes.forEach(e -> reached.add("(" + e.reached("d." + e.deleted(), "o." + e.name()) + ")"));
            sql.append("__pgt_reached AS (\n")
                    .append("    -- groups whose stored MIN or MAX a deleted row may have been\n")
                    .append("    SELECT d.__pgt_gk, true AS __pgt_hit").append(grouped ? ", " + DeltaSql.prefixed("d.", groups) : "")
                    .append(" FROM __pgt_delta d LEFT JOIN __pgt_old o ON o.__pgt_gk = d.__pgt_gk\n")
                    .append("    WHERE ").append(reached).append('\n')
                    .append("),\n");
            String restriction;
            if (grouped) {
                String key = aggregate.groupKeys().get(0);
                String first = groups.get(0);
                restriction = "(" + key + " = ANY (ARRAY(SELECT " + first + " FROM __pgt_reached WHERE " + first
                        + " IS NOT NULL))\n           OR " + key + " IS NULL AND EXISTS (SELECT 1 FROM __pgt_reached WHERE "
                        + first + " IS NULL))";
            } else {
                restriction = "EXISTS (SELECT 1 FROM __pgt_reached)";
            }
            StringJoiner groupKeys = new StringJoiner(", ");
            aggregate.groupKeys().forEach(groupKeys::add);
            sql.append("__pgt_fresh AS (\n")
                    .append("    -- their MIN and MAX read again from the source\n")
                    .append("    SELECT ").append(grouped ? "ROW(" + groupKeys + ")" : "1").append(" AS __pgt_gk")
                    .append(extremeList(e -> e.fn() + "(" + e.argument() + ") AS " + e.name())).append('\n')
                    .append("    FROM ").append(changes.from()).append('\n')
                    // (an uncorrelated EXISTS first: PostgreSQL then reads nothing at all when no group was reached)
                    .append("    WHERE EXISTS (SELECT 1 FROM __pgt_reached)")
                    .append(predicate == null ? "" : " AND (" + predicate + ")").append("\n      AND ").append(restriction)
                    // the keys themselves: the query's GROUP BY may name outputs by position
                    .append(grouped ? "\n    GROUP BY " + groupKeys : "").append('\n')
                    .append("),\n");
        }
        sql.append("__pgt_next AS (\n")
                .append("    -- the new state: stored plus change (a SUM over no value is NULL, as in a fresh query)\n")
                .append("    SELECT o.__pgt_tid, ").append(grouped ? DeltaSql.prefixed("d.", groups) + ", " : "")
                .append("coalesce(o.").append(COUNT).append(", 0) + d.").append(COUNT).append(" AS ").append(COUNT);
        for (int h = 0; h < helpers.size(); h++) {
            Helper helper = helpers.get(h);
            sql.append(",\n           ");
            if (helper.type().equals("bigint")) {
                sql.append("coalesce(o.").append(helper.name()).append(", 0) + d.").append(helper.name());
            } else {
                String nn = helpers.get(h - 1).name(); // a sum follows the count of its argument
                sql.append("CASE WHEN coalesce(o.").append(nn).append(", 0) + d.").append(nn).append(" = 0 THEN NULL\n")
                        .append("                ELSE coalesce(o.").append(helper.name()).append(", 0) + coalesce(d.")
                        .append(helper.name()).append(", 0) END");
            }
            sql.append(" AS ").append(helper.name());
        }
        for (Extreme e : extremes) {
            sql.append(",\n           CASE WHEN r.__pgt_hit THEN f.")
                    .append(e.name()).append("\n                ELSE ").append(e.min() ? "least" : "greatest").append("(o.")
                    .append(e.name()).append(", d.").append(e.inserted()).append(") END AS ").append(e.name());
        }
        sql.append("\n    FROM __pgt_delta d LEFT JOIN __pgt_old o ON o.__pgt_gk = d.__pgt_gk");
        if (!extremes.isEmpty()) {
            sql.append("\n         LEFT JOIN __pgt_reached r ON r.__pgt_gk = d.__pgt_gk")
                    .append("\n         LEFT JOIN __pgt_fresh f ON f.__pgt_gk = d.__pgt_gk");
        }
        sql.append("\n),\n");
        String tids = "t.ctid = ANY (ARRAY(SELECT __pgt_tid FROM __pgt_next WHERE __pgt_tid IS NOT NULL))";
        if (grouped) {
            sql.append("__pgt_del AS (\n")
                    .append("    DELETE FROM ").append(st).append(" t USING __pgt_next x\n")
                    .append("    WHERE ").append(tids).append(" AND t.ctid = x.__pgt_tid AND x.").append(COUNT).append(" = 0\n")
                    .append("    RETURNING 1\n")
                    .append("),\n");
        }
        List<String> state = new ArrayList<>();
        state.add(COUNT);
        helpers.forEach(h -> state.add(h.name()));
        List<String> aggregateColumns = new ArrayList<>();
        List<String> aggregateValues = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            if (aggregate.outputGroups().get(i) < 0) {
                aggregateColumns.add(ident(columns.get(i)));
                aggregateValues.add(derived.get(i));
            }
        }
        StringJoiner set = new StringJoiner(",\n        ");
        for (int i = 0; i < aggregateColumns.size(); i++) {
            set.add(aggregateColumns.get(i) + " = " + aggregateValues.get(i));
        }
        state.forEach(s -> set.add(s + " = x." + s));
        sql.append("__pgt_upd AS (\n")
                .append("    UPDATE ").append(st).append(" AS t\n")
                .append("    SET ").append(set).append('\n')
                .append("    FROM __pgt_next x\n")
                .append("    WHERE ").append(tids).append(" AND t.ctid = x.__pgt_tid")
                .append(grouped ? " AND x." + COUNT + " > 0" : "").append('\n')
                .append("      AND (").append(DeltaSql.prefixed("t.", state))
                .append(extremeList(e -> "t." + ident(columns.get(e.output())))).append(") IS DISTINCT FROM (")
                .append(DeltaSql.prefixed("x.", state)).append(extremeList(e -> "x." + e.name())).append(")\n")
                .append("    RETURNING 1\n")
                .append("),\n");
        List<String> all = new ArrayList<>();
        columns.forEach(c -> all.add(ident(c)));
        all.addAll(state);
        List<String> values = new ArrayList<>(derived);
        state.forEach(s -> values.add("x." + s));
        sql.append("__pgt_ins AS (\n")
                .append("    INSERT INTO ").append(st).append(" (").append(String.join(", ", all)).append(")\n")
                .append("    SELECT ").append(String.join(", ", values)).append(" FROM __pgt_next x\n")
                .append("    WHERE x.__pgt_tid IS NULL AND x.").append(COUNT).append(" > 0\n")
                .append("    RETURNING 1\n")
                .append(")\n");
        // a count below zero, or (over all rows) no stored row: the storage had drifted from its query
        StringJoiner drift = new StringJoiner(" OR ");
        state.stream().filter(s -> !s.startsWith("__pgt_sum_")).forEach(s -> drift.add(s + " < 0"));
        if (!grouped) {
            drift.add("__pgt_tid IS NULL");
        }
        sql.append(DeltaSql.result("(SELECT count(*) FROM __pgt_upd)",
                grouped ? "(SELECT count(*) FROM __pgt_del)" : "0::bigint",
                "(SELECT count(*) FROM __pgt_next WHERE " + drift + ")"));
        return sql.toString();
    }

    private String extremeList(Function<Extreme, String> each) {
        StringBuilder out = new StringBuilder();
        extremes.forEach(e -> out.append(",\n           ").append(each.apply(e)));
        return out.toString();
    }

    private String helperList(Function<Helper, String> each) {
        StringBuilder out = new StringBuilder();
        helpers.forEach(h -> out.append(",\n           ").append(each.apply(h)));
        return out.toString();
    }

    private static List<String> ordinals(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }
}
