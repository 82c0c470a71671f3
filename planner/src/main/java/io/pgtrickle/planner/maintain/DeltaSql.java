package io.pgtrickle.planner.maintain;

import io.pgtrickle.planner.catalog.PgRelation;
import io.pgtrickle.planner.tree.Aggregate;
import io.pgtrickle.planner.tree.Filter;
import io.pgtrickle.planner.tree.Join;
import io.pgtrickle.planner.tree.Operator;
import io.pgtrickle.planner.tree.Project;
import io.pgtrickle.planner.tree.Scan;
import io.pgtrickle.planner.tree.Subquery;
import io.pgtrickle.planner.tree.TreeBuilder.Unsupported;
import io.pgtrickle.planner.tree.UnionAll;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Compiles an operator tree into the SQL that maintains it (DESIGN §4): select-project-join queries
 * over tables with primary keys by recomputing the rows of changed keys ({@link KeyedDelta}), and a
 * projection over tables one of which has no key by counting result rows ({@link CountedDelta}).
 *
 * <p>The statement is one statement with data-modifying CTEs rather than a MERGE: one statement has one
 * snapshot whatever the isolation level, so the window, the source rows it reads and the snapshot it
 * reports as the new frontier agree even in READ COMMITTED, and it counts inserts, updates and deletes
 * apart (PostgreSQL 15's MERGE can do neither). All CTEs see the storage table as it was before the
 * statement, so the three writes partition the changed keys and never touch the same row.
 */
public final class DeltaSql {
    private DeltaSql() {
    }

    /** The maintenance of {@code tree}, or {@link Unsupported} naming what has no delta rule yet. */
    public static MaintenancePlan plan(Operator tree, Target target) throws Unsupported {
        MaintenancePlan plan = rule(tree, target);
        return plan.withBufferColumns(bufferColumns(tree, target, plan.rule()));
    }

    /**
     * What the delta statement reads from each buffer: the primary key of a table the keyed rule joins
     * (it recomputes the changed keys from the tables), else the images' columns ({@link Target#readable}),
     * the tables of WHERE subqueries included.
     */
    private static Map<String, List<String>> bufferColumns(Operator tree, Target target, MaintenancePlan.Rule rule) {
        Map<String, Set<String>> read = new HashMap<>();
        Map<String, PgRelation> relations = new HashMap<>();
        ArrayDeque<Operator> todo = new ArrayDeque<>(List.of(tree));
        while (!todo.isEmpty()) {
            Operator op = todo.pop();
            if (op instanceof Scan scan) {
                relations.put(scan.relation().qualifiedName(), scan.relation());
                read.computeIfAbsent(scan.relation().qualifiedName(), k -> new HashSet<>()).addAll(
                        rule == MaintenancePlan.Rule.KEYS_RECOMPUTED ? scan.relation().primaryKey() : target.readable(scan.relation()));
            }
            if (op instanceof Filter filter) {
                for (Subquery sub : filter.subqueries()) {
                    relations.put(sub.relation().qualifiedName(), sub.relation());
                    read.computeIfAbsent(sub.relation().qualifiedName(), k -> new HashSet<>())
                            .addAll(target.readable(sub.relation()));
                }
            }
            todo.addAll(op.inputs());
        }
        Map<String, List<String>> out = new HashMap<>();
        read.forEach((name, columns) -> out.put(name, relations.get(name).columns().stream().map(c -> c.name())
                .filter(columns::contains).toList()));
        return out;
    }

    private static MaintenancePlan rule(Operator tree, Target target) throws Unsupported {
        if (tree instanceof UnionAll union) {
            return unionAll(union, target);
        }
        if (!(tree instanceof Project project)) {
            throw new Unsupported("a query shape without a delta rule yet (" + tree.describe() + ")");
        }
        Operator below = project.input();
        String predicate = null;
        List<Subquery> subqueries = List.of();
        if (below instanceof Filter filter) {
            predicate = filter.predicate();
            subqueries = filter.subqueries();
            below = filter.input();
        }
        Aggregate aggregate = null;
        String plainPredicate = null;
        if (below instanceof Aggregate a) {
            aggregate = a;
            below = a.input();
            if (below instanceof Filter filter) {
                predicate = filter.predicate();
                subqueries = filter.subqueries();
                plainPredicate = filter.withoutSubqueries();
                below = filter.input();
            }
        }
        List<Scan> scans;
        String from;
        Map<Integer, List<Integer>> anchors = Map.of();
        if (below instanceof Scan scan) {
            scans = List.of(scan);
            from = from(scan);
        } else if (below instanceof Join join) {
            scans = join.scans();
            from = join.from();
            anchors = join.anchors();
        } else {
            throw new Unsupported("a query shape without a delta rule yet (" + below.describe() + ")");
        }
        Map<String, String> buffers = new HashMap<>();
        for (Scan scan : scans) {
            String buffer = target.buffers().get(scan.relation().qualifiedName());
            if (buffer == null) {
                throw new Unsupported("a source without change capture (" + scan.relation().qualifiedName() + ")");
            }
            buffers.put(scan.relation().qualifiedName(), buffer);
        }
        for (Subquery sub : subqueries) {
            String buffer = target.buffers().get(sub.relation().qualifiedName());
            if (buffer == null) {
                throw new Unsupported("a source without change capture (" + sub.relation().qualifiedName() + ")");
            }
            buffers.put(sub.relation().qualifiedName(), buffer);
        }
        List<String> columns = target.columns() != null ? target.columns()
                : project.outputs().stream().map(Project.Output::name).toList();
        if (columns.size() != project.outputs().size()) {
            throw new Unsupported("a select list whose columns the planner cannot match to the stream table's");
        }
        if (aggregate != null) {
            if (!anchors.isEmpty() && !subqueries.isEmpty()) {
                throw new Unsupported("subqueries in the WHERE of a grouped query with outer joins");
            }
            RowChanges changes = new RowChanges(new Windows(target, buffers), scans,
                    below instanceof Join join ? join : null);
            // with subqueries in its WHERE, or outer joins, a group's rows change without a change of its own
            // (a NULL-extended row comes and goes with a row of another table): recomputed
            return AlgebraicAggregateDelta.applies(aggregate) && subqueries.isEmpty() && anchors.isEmpty()
                    ? new AlgebraicAggregateDelta(target, changes, predicate, aggregate, project.selectList(), columns).compile()
                    : new AggregateDelta(target, changes, predicate, plainPredicate, subqueries, anchors, aggregate,
                            project.selectList(), columns, buffers).compile();
        }
        Scan keyless = scans.stream().filter(s -> s.relation().primaryKey().isEmpty()).findFirst().orElse(null);
        boolean derived = below instanceof Join j && !j.derived().isEmpty();
        if (derived && !target.hashableRows()) {
            throw new Unsupported("a subquery in FROM and a result column whose type has no equality or hashing "
                    + "(json, xml, geometric types)");
        }
        if (keyless != null || derived) {
            if (!anchors.isEmpty()) {
                throw new Unsupported("an outer join of a table without a primary key (" + keyless.relation().qualifiedName() + ")");
            }
            if (!subqueries.isEmpty()) { // (TreeBuilder refuses them grouped)
                throw new Unsupported("a subquery in the WHERE of a query over a table without a primary key");
            }
            if (!target.hashableRows()) {
                throw new Unsupported("a source without a primary key (" + keyless.relation().qualifiedName()
                        + ") and a result column whose type has no equality or hashing (json, xml, geometric types)");
            }
            Windows windows = new Windows(target, buffers);
            RowChanges changes = new RowChanges(windows, scans, below instanceof Join join ? join : null);
            return new CountedDelta(target, windows, List.of(new CountedDelta.Branch(changes, predicate,
                    project.outputs().stream().map(Project.Output::expression).toList())), columns).compile();
        }
        return new KeyedDelta(target, scans, anchors, subqueries, from, predicate, project.outputs(), project.selectList(),
                columns, buffers).compile();
    }

    /** A UNION ALL of select-project-joins: every branch's result rows counted ({@link CountedDelta}). */
    private static MaintenancePlan unionAll(UnionAll union, Target target) throws Unsupported {
        if (!target.hashableRows()) {
            throw new Unsupported("UNION ALL and a result column whose type has no equality or hashing "
                    + "(json, xml, geometric types)");
        }
        Windows windows = new Windows(target, target.buffers());
        List<CountedDelta.Branch> branches = new java.util.ArrayList<>();
        List<String> columns = target.columns();
        for (Operator branch : union.branches()) {
            Project project = (Project) branch; // (TreeBuilder builds nothing else)
            Operator below = project.input();
            String predicate = null;
            if (below instanceof Filter filter) {
                predicate = filter.predicate();
                below = filter.input();
            }
            List<Scan> scans = below instanceof Join join ? join.scans() : List.of((Scan) below);
            for (Scan scan : scans) {
                if (target.buffers().get(scan.relation().qualifiedName()) == null) {
                    throw new Unsupported("a source without change capture (" + scan.relation().qualifiedName() + ")");
                }
            }
            if (columns == null) {
                columns = project.outputs().stream().map(Project.Output::name).toList();
            }
            if (columns.size() != project.outputs().size()) {
                throw new Unsupported("a select list the planner cannot match to the stream table's");
            }
            branches.add(new CountedDelta.Branch(new RowChanges(windows, scans, below instanceof Join join ? join : null),
                    predicate, project.outputs().stream().map(Project.Output::expression).toList()));
        }
        return new CountedDelta(target, windows, branches, columns).compile();
    }

    /**
     * The window of one source's buffer for the stream table {@code storage}: changes committed since the
     * frontier, and this transaction's own not yet applied (decision c of docs/architecture.md).
     */
    static String window(String name, String storage, PgRelation relation, String buffer, String columns) {
        return name + " AS (\n"
                + "    -- changes committed since the frontier, and this transaction's own not yet applied\n"
                + "    SELECT c.__pgt_op" + (columns.isEmpty() ? "" : ", " + columns) + "\n"
                + "    FROM pgtrickle_changes." + ident(buffer) + " c,\n"
                + "         pgtrickle.pgt_stream_tables s,\n"
                + "         pgtrickle.pgt_dependencies d\n"
                + "    WHERE s.pgt_relid = " + literal(storage) + "::regclass AND d.pgt_id = s.pgt_id\n"
                + "      AND d.source_relid = " + literal(ident(relation.schema()) + "." + ident(relation.name()))
                + "::regclass\n"
                + "      AND NOT pg_catalog.pg_visible_in_snapshot(c.__pgt_xid, s.frontier)\n"
                + "      AND NOT (c.__pgt_xid IS NOT DISTINCT FROM d.applied_xid AND c.__pgt_seq <= coalesce(d.applied_seq, 0))\n"
                + "),\n";
    }

    /** True in a delta statement whose window holds a TRUNCATE marker. */
    static final String TRUNCATED = "EXISTS (SELECT 1 FROM __pgt_window WHERE __pgt_op = 'T')";

    /** The names the grouped rules give the group keys of changed rows: {@code __pgt_group_1}, ... */
    static final String GROUP_PREFIX = "__pgt_group_";

    /** Columns of a source as the window selects them from the buffer {@code c}. */
    static String bufferColumns(List<String> columns) {
        return join(columns, c -> "c." + ident(c), ", ");
    }

    /**
     * The stored rows {@code t} whose leading group key {@code column} is among the first group keys of
     * {@code cte}: an index scan whatever PostgreSQL estimates, the NULL group included.
     */
    static String storedGroups(String column, String cte) {
        String first = ident(GROUP_PREFIX + 1);
        return "\n    WHERE t." + column + " = ANY (ARRAY(SELECT " + first + " FROM " + cte + " WHERE " + first + " IS NOT NULL))\n"
                + "       OR t." + column + " IS NULL AND EXISTS (SELECT 1 FROM " + cte + " WHERE " + first + " IS NULL)";
    }

    /** {@code prefix} before each item, joined by commas. */
    static String prefixed(String prefix, List<String> items) {
        return join(items, i -> prefix + i, ", ");
    }

    /** Quoted identifiers back to names (they were quoted by {@link #ident}). */
    static List<String> unquoted(List<String> quoted) {
        return quoted.stream().map(q -> q.substring(1, q.length() - 1).replace("\"\"", "\"")).toList();
    }

    /** Quotes an identifier, always: generated SQL never depends on which words are reserved. */
    static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** The storage table, schema-qualified, quoted. */
    static String storage(Target target) {
        return ident(target.storageSchema()) + "." + ident(target.storageName());
    }

    /** The name the query's expressions use for a scanned table: its alias, or the table's own name. */
    static String reference(Scan scan) {
        return ident(scan.alias() != null ? scan.alias() : scan.relation().name());
    }

    /** A scanned table as a FROM item: schema-qualified, with the query's alias. */
    static String from(Scan scan) {
        String table = ident(scan.relation().schema()) + "." + ident(scan.relation().name());
        return scan.alias() != null ? table + " AS " + ident(scan.alias()) : table;
    }

    /** {@code each} of the items, joined by {@code separator}. */
    static String join(List<String> items, Function<String, String> each, String separator) {
        StringJoiner out = new StringJoiner(separator);
        items.forEach(i -> out.add(each.apply(i)));
        return out.toString();
    }

    /** {@code SET "c1" = n."c1", ...}: a stored row takes its recomputed values. */
    static String updateSet(List<String> columns) {
        return "    SET " + join(columns, c -> ident(c) + " = n." + ident(c), ",\n        ") + "\n";
    }

    /** The condition that a stored row {@code t} differs from its recomputed {@code n} (empty when rows cannot compare). */
    static String changed(List<String> columns, boolean compareRows) {
        return !compareRows ? "" : "\n      AND (" + join(columns, c -> "t." + ident(c), ", ") + ") IS DISTINCT FROM ("
                + join(columns, c -> "n." + ident(c), ", ") + ")";
    }

    /** The statement's answer: the counts of its CTEs, what it missed, and its snapshot (the new frontier). */
    static String result(String updated, String deleted, String missing) {
        return "SELECT (SELECT count(*) FROM __pgt_ins) AS inserted,\n"
                + "       " + updated + " AS updated,\n"
                + "       " + deleted + " AS deleted,\n"
                + "       " + missing + " AS missing,\n"
                + "       pg_catalog.pg_current_snapshot()::text AS snapshot";
    }

    static String literal(String text) {
        return '\'' + text.replace("'", "''") + '\'';
    }
}
