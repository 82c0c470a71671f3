package io.pgtrickle.planner.maintain;

import static io.pgtrickle.planner.maintain.DeltaSql.ident;

import io.pgtrickle.planner.catalog.PgRelation;
import io.pgtrickle.planner.tree.Join;
import io.pgtrickle.planner.tree.Project;
import io.pgtrickle.planner.tree.Scan;
import io.pgtrickle.planner.tree.Subquery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The delta of a select-project-join query over tables that all have a primary key: one table, or an
 * inner join of several (self joins included, equi or not). A result row's identity is the keys of the
 * source rows it comes from, and its values are a function of those rows; so a result row whose source
 * keys none changed in the window is the same as at the last refresh, and every other one is recomputed:
 * the window names the changed keys of each table (an UPDATE's old and new key both), the user's own
 * query runs again restricted to rows with a changed key of any of its tables (one branch per table,
 * through that table's key), and the stored rows with a changed key are deleted, updated or inserted to
 * match. This is the net effect of any number of changes within the window, needs no old images, and
 * covers deletes on both sides of a join in one window (the join trap) by construction: a deleted key
 * takes its stored rows with it, and the recompute cannot bring them back.
 *
 * <p>Outer joins ({@link Join#anchors}): a row NULL-extended for a table holds no key of it, so a change
 * of that table is found through the rows of its join's preserved side instead: those the storage holds
 * joined with the changed key, and those the sources join with it now; every row of those preserved rows
 * is recomputed. No filter above the outer join reads the NULL-extended table ({@code JoinLayout}), so the
 * NULL-extended rows of a preserved row pass them exactly when its joined rows did.
 *
 * <p>Storage identity: each key column of each table is held by a user column that selects it unchanged,
 * or else a hidden {@code __pgt_key_n}; a unique index covers them all, and each further table's key
 * columns get an index of their own so their changed keys find stored rows too.
 */
final class KeyedDelta {
    private static final String KEY_PREFIX = "__pgt_key_";

    private final Target target;
    private final List<Scan> scans;
    /** Each scan an outer join may NULL-extend, with the scans of its anchor ({@link Join#anchors}). */
    private final Map<Integer, List<Integer>> anchors;
    /** The WHERE clause's [NOT] EXISTS and [NOT] IN subqueries, each over one table. */
    private final List<Subquery> subqueries;
    private final String from;
    private final String predicate;
    private final String selectList;
    private final List<String> columns;
    private final Map<String, String> buffers;
    /** Per scan, per key column: the window's name for it ({@code __pgt_key_n}, quoted). */
    private final List<List<String>> windowKey = new ArrayList<>();
    /** Per scan, per key column: the storage column that holds it (quoted). */
    private final List<List<String>> storageKey = new ArrayList<>();
    /** Per scan, per key column: the source column as the query's text can reference it. */
    private final List<List<String>> sourceKey = new ArrayList<>();
    private final List<MaintenancePlan.Column> hidden = new ArrayList<>();
    /** Hidden key columns as select-list items ({@code s."id" AS "__pgt_key_2"}). */
    private final List<String> hiddenItems = new ArrayList<>();

    KeyedDelta(Target target, List<Scan> scans, Map<Integer, List<Integer>> anchors, List<Subquery> subqueries,
            String from, String predicate, List<Project.Output> outputs, String selectList, List<String> columns,
            Map<String, String> buffers) {
        this.target = target;
        this.scans = scans;
        this.anchors = anchors;
        this.subqueries = subqueries;
        this.from = from;
        this.predicate = predicate;
        this.selectList = selectList;
        this.columns = columns;
        this.buffers = buffers;
        int n = 0;
        for (int s = 0; s < scans.size(); s++) {
            Scan scan = scans.get(s);
            List<String> window = new ArrayList<>();
            List<String> stored = new ArrayList<>();
            List<String> source = new ArrayList<>();
            for (String k : scan.relation().primaryKey()) {
                n++;
                window.add(ident(KEY_PREFIX + n));
                source.add(ident(scan.alias() != null ? scan.alias() : scan.relation().name()) + "." + ident(k));
                int passed = -1;
                for (int j = 0; j < outputs.size() && passed < 0; j++) {
                    Project.ColumnRef ref = outputs.get(j).source();
                    if (ref != null && ref.scan() == s && ref.column().equals(k)) {
                        passed = j;
                    }
                }
                if (passed >= 0) {
                    stored.add(ident(columns.get(passed)));
                } else {
                    stored.add(ident(KEY_PREFIX + n));
                    hidden.add(new MaintenancePlan.Column(KEY_PREFIX + n, scan.relation().column(k).type()));
                    hiddenItems.add(source.get(source.size() - 1) + " AS " + ident(KEY_PREFIX + n));
                }
            }
            windowKey.add(window);
            storageKey.add(stored);
            sourceKey.add(source);
        }
    }

    MaintenancePlan compile() {
        List<MaintenancePlan.Index> indexes = new ArrayList<>();
        // an outer join's NULL-extended rows hold NULL keys: one such row per preserved row, so NULLs are equal
        indexes.add(new MaintenancePlan.Index(DeltaSql.unquoted(flat(storageKey)), true, !anchors.isEmpty()));
        for (int s = 1; s < scans.size(); s++) {
            indexes.add(new MaintenancePlan.Index(DeltaSql.unquoted(storageKey.get(s)), false));
        }
        return new MaintenancePlan(MaintenancePlan.Rule.KEYS_RECOMPUTED, hidden, indexes, populate(), delta());
    }

    /** The user's select list, then the hidden key columns. */
    private String select() {
        return hiddenItems.isEmpty() ? selectList : selectList + ",\n       " + String.join(",\n       ", hiddenItems);
    }

    private String populate() {
        return "SELECT " + select() + "\nFROM " + from + (predicate == null ? "" : "\nWHERE " + predicate);
    }

    private String delta() {
        String st = DeltaSql.storage(target);
        StringBuilder sql = new StringBuilder();
        // one window per source relation (a self join reads one buffer twice)
        Map<String, String> windows = new LinkedHashMap<>();
        for (Scan scan : scans) {
            String name = scan.relation().qualifiedName();
            if (!windows.containsKey(name)) {
                String window = "__pgt_window_" + (windows.size() + 1);
                windows.put(name, window);
                List<String> keyColumns = new ArrayList<>();
                for (int i = 0; i < scan.relation().primaryKey().size(); i++) {
                    keyColumns.add("c." + ident(scan.relation().primaryKey().get(i)) + " AS " + ident("__pgt_k" + (i + 1)));
                }
                sql.append(sql.length() == 0 ? "WITH " : "")
                        .append(DeltaSql.window(window, st, scan.relation(), buffers.get(name), String.join(", ", keyColumns)));
            }
        }
        for (int s = 0; s < scans.size(); s++) {
            Scan scan = scans.get(s);
            String window = windows.get(scan.relation().qualifiedName());
            StringJoiner fromWindow = new StringJoiner(", ");
            for (int i = 0; i < windowKey.get(s).size(); i++) {
                fromWindow.add(ident("__pgt_k" + (i + 1)) + " AS " + windowKey.get(s).get(i));
            }
            sql.append("__pgt_keys_").append(s + 1).append(" AS (\n")
                    .append("    -- changed keys of ").append(describe(scan))
                    .append("; after a TRUNCATE, every stored one too\n")
                    .append("    SELECT ").append(fromWindow).append(" FROM ").append(window).append(" WHERE __pgt_op <> 'T'\n")
                    .append("    UNION\n")
                    .append("    SELECT ").append(String.join(", ", storageKey.get(s))).append(" FROM ").append(st)
                    .append(" WHERE EXISTS (SELECT 1 FROM ").append(window).append(" WHERE __pgt_op = 'T')\n")
                    .append("),\n");
        }
        for (Map.Entry<Integer, List<Integer>> e : anchors.entrySet()) {
            int s = e.getKey();
            List<Integer> anchor = e.getValue();
            String keys = "__pgt_keys_" + (s + 1);
            sql.append("__pgt_anchor_").append(s + 1).append(" AS (\n")
                    .append("    -- rows of ").append(describeAll(anchor)).append(" that ").append(describe(scans.get(s)))
                    .append(" NULL-extends or joins: those joined with a changed key before and now\n")
                    .append("    SELECT ").append(aliased(prefixedList("t.", gather(storageKey, anchor)), gather(windowKey, anchor)))
                    .append(" FROM ").append(st).append(" t WHERE ")
                    .append(lookup(prefixedList("t.", storageKey.get(s)), windowKey.get(s), keys)).append('\n')
                    .append("    UNION\n")
                    .append("    SELECT ").append(aliased(gather(sourceKey, anchor), gather(windowKey, anchor))).append('\n')
                    .append("    FROM ").append(from).append('\n')
                    .append("    WHERE ").append(predicate == null ? "" : "(" + predicate + ")\n      AND ")
                    .append(lookup(sourceKey.get(s), windowKey.get(s), keys)).append('\n')
                    .append("),\n");
        }
        for (int k = 0; k < subqueries.size(); k++) {
            sql.append(subqueryRows(k, st));
        }
        String identity = String.join(", ", flat(storageKey));
        int branches = scans.size() + subqueries.size();
        sql.append("__pgt_new AS (\n")
                .append("    -- what the query gives now for the rows with a changed key\n");
        if (branches > 1) {
            sql.append("    SELECT DISTINCT ON (").append(identity).append(") * FROM (\n");
        }
        for (int s = 0; s < branches; s++) {
            String indent = branches > 1 ? "        " : "    ";
            sql.append(s == 0 ? "" : indent + "UNION ALL\n")
                    // the user's text is never re-indented: a newline may be inside a string literal
                    .append(indent).append("SELECT ").append(select()).append('\n')
                    .append(indent).append("FROM ").append(from).append('\n')
                    .append(indent).append("WHERE ").append(predicate == null ? "" : "(" + predicate + ")\n" + indent + "  AND ")
                    .append(changedRows(s, sourceKey)).append('\n');
        }
        if (branches > 1) {
            sql.append("    ) u\n");
        }
        sql.append("),\n");
        sql.append("__pgt_old AS (\n")
                .append("    -- stored rows with a changed key, and where they are\n");
        for (int s = 0; s < branches; s++) {
            sql.append(s == 0 ? "" : "    UNION\n")
                    .append("    SELECT t.ctid AS __pgt_ctid, ").append(DeltaSql.prefixed("t.", flat(storageKey))).append(" FROM ")
                    .append(st).append(" t WHERE ").append(changedRows(s, prefixed("t.", storageKey))).append('\n');
        }
        // the writes find the stored rows by their ctid (a TID scan), found once above: not by key again
        sql.append("),\n")
                .append("__pgt_del AS (\n")
                .append("    -- those the query no longer gives\n")
                .append("    DELETE FROM ").append(st).append(" t\n")
                .append("    WHERE t.ctid = ANY (ARRAY(SELECT o.__pgt_ctid FROM __pgt_old o\n")
                .append("                              WHERE NOT EXISTS (SELECT 1 FROM __pgt_new n WHERE ").append(match("n", "o"))
                .append(")))\n")
                .append("    RETURNING 1\n")
                .append("),\n");
        if (!columns.isEmpty()) {
            sql.append("__pgt_upd AS (\n")
                    .append("    UPDATE ").append(st).append(" AS t\n")
                    .append(DeltaSql.updateSet(columns))
                    .append("    FROM __pgt_new n\n")
                    .append("    WHERE t.ctid = ANY (ARRAY(SELECT o.__pgt_ctid FROM __pgt_old o))\n      AND ").append(match("t", "n"))
                    .append(DeltaSql.changed(columns, target.compareRows()))
                    .append("\n    RETURNING 1\n")
                    .append("),\n");
        }
        List<String> all = new ArrayList<>();
        columns.forEach(c -> all.add(ident(c)));
        hidden.forEach(h -> all.add(ident(h.name())));
        sql.append("__pgt_ins AS (\n")
                .append("    INSERT INTO ").append(st).append(" (").append(String.join(", ", all)).append(")\n")
                .append("    SELECT ").append(DeltaSql.join(all, c -> "n." + c, ", ")).append(" FROM __pgt_new n\n")
                .append("    WHERE NOT EXISTS (SELECT 1 FROM __pgt_old o WHERE ").append(match("o", "n")).append(")\n")
                .append("    RETURNING 1\n")
                .append(")\n")
                .append(DeltaSql.result(columns.isEmpty() ? "0::bigint" : "(SELECT count(*) FROM __pgt_upd)",
                        "(SELECT count(*) FROM __pgt_del)", "0::bigint"));
        return sql.toString();
    }

    /**
     * Rows of a table whose key ({@code columns}) is among a CTE's keys ({@code keys}): the first column
     * compared with {@code = ANY (ARRAY(...))}, which PostgreSQL answers with an index scan whatever it
     * guesses of the CTE's size (a join with a CTE it cannot estimate may hash the whole table), and a
     * key of several columns checked in full as well.
     */
    private static String lookup(List<String> columns, List<String> keys, String cte) {
        String first = columns.get(0) + " = ANY (ARRAY(SELECT " + keys.get(0) + " FROM " + cte + "))";
        return columns.size() == 1 ? first
                : first + " AND (" + String.join(", ", columns) + ") IN (SELECT * FROM " + cte + ")";
    }

    /**
     * The rows (of the query's tables, or of the storage, as {@code keys} names their key columns) that the
     * changes of scan {@code s} may touch: those with a changed key of it; for a scan an outer join may
     * NULL-extend, every row of an anchor row joined with a changed key of it, before or now.
     */
    private String changedRows(int s, List<List<String>> keys) {
        if (s >= scans.size()) {
            return lookup(flat(keys), flat(windowKey), "__pgt_sub_" + (s - scans.size() + 1));
        }
        List<Integer> anchor = anchors.get(s);
        return anchor == null ? lookup(keys.get(s), windowKey.get(s), "__pgt_keys_" + (s + 1))
                : lookup(gather(keys, anchor), gather(windowKey, anchor), "__pgt_anchor_" + (s + 1));
    }

    /**
     * The window of subquery {@code k}'s table (whole images), and the rows of the query whose subquery
     * may have changed its answer: those for which it finds one of the table's changed rows, old or new
     * (an EXISTS, NOT EXISTS, IN or NOT IN can change only then); after a TRUNCATE of the table, all.
     */
    private String subqueryRows(int k, String st) {
        Subquery sub = subqueries.get(k);
        return SubqueryProbes.window(k, sub, target, buffers)
                + "__pgt_sub_" + (k + 1) + " AS (\n"
                + "    -- rows whose subquery over " + sub.relation().qualifiedName()
                + (sub.alias() == null ? "" : " AS " + PgRelation.quote(sub.alias())) + " finds a changed row of it, old or new\n"
                + "    SELECT " + aliased(flat(sourceKey), flat(windowKey)) + "\n"
                + "    FROM " + from + "\n"
                + "    WHERE " + SubqueryProbes.finds(k, sub, target) + "\n"
                + "),\n";
    }


    /** The key columns of the scans {@code which}, in order. */
    private static List<String> gather(List<List<String>> keys, List<Integer> which) {
        List<String> out = new ArrayList<>();
        which.forEach(s -> out.addAll(keys.get(s)));
        return out;
    }

    /** {@code expression AS name, ...}. */
    private static String aliased(List<String> expressions, List<String> names) {
        StringJoiner out = new StringJoiner(", ");
        for (int i = 0; i < expressions.size(); i++) {
            out.add(expressions.get(i) + " AS " + names.get(i));
        }
        return out.toString();
    }

    private static List<List<String>> prefixed(String prefix, List<List<String>> keys) {
        List<List<String>> out = new ArrayList<>();
        keys.forEach(k -> out.add(prefixedList(prefix, k)));
        return out;
    }

    private String describeAll(List<Integer> which) {
        StringJoiner out = new StringJoiner(", ");
        which.forEach(s -> out.add(describe(scans.get(s))));
        return out.toString();
    }

    private static List<String> prefixedList(String prefix, List<String> items) {
        List<String> out = new ArrayList<>();
        items.forEach(i -> out.add(prefix + i));
        return out;
    }

    private static String describe(Scan scan) {
        return scan.relation().qualifiedName() + (scan.alias() == null ? "" : " AS " + PgRelation.quote(scan.alias()));
    }

    /** The identity columns of two row sources with the storage's names, pairwise equal (NULL-extended keys NULL on both). */
    private String match(String left, String right) {
        StringJoiner out = new StringJoiner(" AND ");
        for (int s = 0; s < scans.size(); s++) {
            String equal = anchors.containsKey(s) ? " IS NOT DISTINCT FROM " : " = ";
            for (String k : storageKey.get(s)) {
                out.add(left + "." + k + equal + right + "." + k);
            }
        }
        return out.toString();
    }

    private static List<String> flat(List<List<String>> lists) {
        List<String> out = new ArrayList<>();
        lists.forEach(out::addAll);
        return out;
    }
}
