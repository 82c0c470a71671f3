package io.pgtrickle.planner.maintain;

import io.pgtrickle.planner.catalog.PgRelation;
import io.pgtrickle.planner.tree.Filter;
import io.pgtrickle.planner.tree.Operator;
import io.pgtrickle.planner.tree.Project;
import io.pgtrickle.planner.tree.Scan;
import io.pgtrickle.planner.tree.TreeBuilder.Unsupported;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Compiles an operator tree into the SQL that maintains it (DESIGN §4). This step knows a projection
 * over an optional filter over a table with a primary key. Its row identity is the source's key: the
 * window's changes name the keys that changed (an UPDATE's old and new key both), and each of those
 * keys gets the row the query gives for the source's current row now, or none. That is the net effect
 * of any number of changes to a key within the window (an insert then a delete leaves nothing), needs no
 * old image, and reads the source through its key index only.
 *
 * <p>The statement is one statement with data-modifying CTEs rather than a MERGE: one statement has one
 * snapshot whatever the isolation level, so the window, the source rows it reads and the snapshot it
 * reports as the new frontier agree even in READ COMMITTED, and it counts inserts, updates and deletes
 * apart (PostgreSQL 15's MERGE can do neither). All CTEs see the storage table as it was before the
 * statement, so the three writes partition the changed keys and never touch the same row.
 */
public final class DeltaSql {
    private static final String KEY_PREFIX = "__pgt_key_";

    private DeltaSql() {
    }

    /** The maintenance of {@code tree}, or {@link Unsupported} naming what has no delta rule yet. */
    public static MaintenancePlan plan(Operator tree, Target target) throws Unsupported {
        if (!(tree instanceof Project project)) {
            throw new Unsupported("a query shape without a delta rule yet (" + tree.describe() + ")");
        }
        Operator below = project.input();
        String predicate = null;
        if (below instanceof Filter filter) {
            predicate = filter.predicate();
            below = filter.input();
        }
        if (!(below instanceof Scan scan)) {
            throw new Unsupported("a query shape without a delta rule yet (" + below.describe() + ")");
        }
        PgRelation relation = scan.relation();
        String buffer = target.buffers().get(relation.qualifiedName());
        if (buffer == null) {
            throw new Unsupported("a source without change capture (" + relation.qualifiedName() + ")");
        }
        List<String> columns = target.columns() != null ? target.columns()
                : project.outputs().stream().map(Project.Output::name).toList();
        if (columns.size() != project.outputs().size()) {
            throw new Unsupported("a select list whose columns the planner cannot match to the stream table's");
        }
        if (relation.primaryKey().isEmpty()) {
            if (!target.hashableRows()) {
                throw new Unsupported("a source without a primary key (" + relation.qualifiedName() + ") and a result "
                        + "column whose type has no equality or hashing (json, xml, geometric types)");
            }
            return new KeylessDelta(target, scan, predicate, project.outputs(), columns, buffer).compile();
        }
        return new Compiler(target, scan, predicate, project.outputs(), columns, buffer).compile();
    }

    /**
     * The window of one source's buffer for the stream table {@code storage}: changes committed since the
     * frontier, and this transaction's own not yet applied (decision c of docs/architecture.md).
     */
    static String window(String storage, PgRelation relation, String buffer, String columns) {
        return "WITH __pgt_window AS (\n"
                + "    -- changes committed since the frontier, and this transaction's own not yet applied\n"
                + "    SELECT c.__pgt_op, " + columns + "\n"
                + "    FROM pgtrickle_changes." + ident(buffer) + " c,\n"
                + "         pgtrickle.pgt_stream_tables s,\n"
                + "         pgtrickle.pgt_dependencies d\n"
                + "    WHERE s.pgt_relid = " + literal(storage) + "::regclass AND d.pgt_id = s.pgt_id\n"
                + "      AND d.source_relid = " + literal(ident(relation.schema()) + "." + ident(relation.name()))
                + "::regclass\n"
                + "      AND NOT pg_catalog.pg_visible_in_snapshot(c.__pgt_xid, s.frontier)\n"
                + "      AND NOT (c.__pgt_xid IS NOT DISTINCT FROM d.applied_xid AND c.__pgt_seq <= d.applied_seq)\n"
                + "),\n";
    }

    /** Quotes an identifier, always: generated SQL never depends on which words are reserved. */
    static String ident(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    static String literal(String text) {
        return '\'' + text.replace("'", "''") + '\'';
    }

    /** The statement text for one tree; one instance per compilation. */
    private static final class Compiler {
        private final Target target;
        private final Scan scan;
        private final String predicate;
        private final List<Project.Output> outputs;
        private final List<String> columns;
        private final String buffer;
        /** Per source key column: its name in the window ({@code __pgt_key_n}). */
        private final List<String> windowKey = new ArrayList<>();
        /** Per source key column: the storage column that holds it (a user column passing it on, or hidden), quoted. */
        private final List<String> storageKey = new ArrayList<>();
        private final List<String> keyColumns = new ArrayList<>();
        /** Per source key column: the source column, as the query's expressions reference it. */
        private final List<String> sourceKey = new ArrayList<>();
        private final List<MaintenancePlan.Column> hidden = new ArrayList<>();

        Compiler(Target target, Scan scan, String predicate, List<Project.Output> outputs, List<String> columns,
                String buffer) {
            this.target = target;
            this.scan = scan;
            this.predicate = predicate;
            this.outputs = outputs;
            this.columns = columns;
            this.buffer = buffer;
            List<String> primaryKey = scan.relation().primaryKey();
            for (int i = 0; i < primaryKey.size(); i++) {
                String k = primaryKey.get(i);
                windowKey.add(ident(KEY_PREFIX + (i + 1)));
                sourceKey.add(reference() + "." + ident(k));
                int passed = -1;
                for (int j = 0; j < outputs.size() && passed < 0; j++) {
                    if (k.equals(outputs.get(j).sourceColumn())) {
                        passed = j;
                    }
                }
                keyColumns.add(passed >= 0 ? columns.get(passed) : KEY_PREFIX + (i + 1));
                if (passed >= 0) {
                    storageKey.add(ident(columns.get(passed)));
                } else {
                    storageKey.add(ident(KEY_PREFIX + (i + 1)));
                    hidden.add(new MaintenancePlan.Column(KEY_PREFIX + (i + 1), scan.relation().column(k).type()));
                }
            }
        }

        MaintenancePlan compile() {
            return new MaintenancePlan(hidden, keyColumns, true, populate(), delta());
        }

        private String storage() {
            return ident(target.storageSchema()) + "." + ident(target.storageName());
        }

        /** The name expressions use for the source: its alias, or the table's own name. */
        private String reference() {
            return ident(scan.alias() != null ? scan.alias() : scan.relation().name());
        }

        private String from() {
            String table = ident(scan.relation().schema()) + "." + ident(scan.relation().name());
            return scan.alias() != null ? table + " AS " + ident(scan.alias()) : table;
        }

        /** The user's select list under the storage's column names, then the hidden key columns. */
        private String selectList() {
            StringJoiner list = new StringJoiner(",\n       ");
            for (int i = 0; i < outputs.size(); i++) {
                list.add(outputs.get(i).expression() + " AS " + ident(columns.get(i)));
            }
            for (int i = 0; i < windowKey.size(); i++) {
                if (storageKey.get(i).startsWith("\"" + KEY_PREFIX)) {
                    list.add(sourceKey.get(i) + " AS " + storageKey.get(i));
                }
            }
            return list.toString();
        }

        /** The storage's columns: the user's, then the hidden ones. */
        private List<String> storageColumns() {
            List<String> all = new ArrayList<>();
            columns.forEach(c -> all.add(ident(c)));
            hidden.forEach(h -> all.add(ident(h.name())));
            return all;
        }

        private String populate() {
            return "SELECT " + selectList() + "\nFROM " + from() + (predicate == null ? "" : "\nWHERE " + predicate);
        }

        private String delta() {
            String st = storage();
            List<String> primaryKey = scan.relation().primaryKey();
            String windowKeys = String.join(", ", windowKey);
            StringJoiner bufferKeys = new StringJoiner(", ");
            StringJoiner storedKeys = new StringJoiner(", ");
            for (int i = 0; i < primaryKey.size(); i++) {
                bufferKeys.add("c." + ident(primaryKey.get(i)) + " AS " + windowKey.get(i));
                storedKeys.add(storageKey.get(i));
            }
            StringBuilder sql = new StringBuilder();
            sql.append(window(st, scan.relation(), buffer, bufferKeys.toString()))
                    .append("__pgt_keys AS (\n")
                    .append("    -- the keys to recompute: every changed one; after a TRUNCATE, every stored one too\n")
                    .append("    SELECT ").append(windowKeys).append(" FROM __pgt_window WHERE __pgt_op <> 'T'\n")
                    .append("    UNION\n")
                    .append("    SELECT ").append(storedKeys).append(" FROM ").append(st)
                    .append(" WHERE EXISTS (SELECT 1 FROM __pgt_window WHERE __pgt_op = 'T')\n")
                    .append("),\n")
                    .append("__pgt_new AS (\n")
                    .append("    -- what the query gives for those keys now\n")
                    .append("    SELECT ").append(selectList().replace("\n", "\n    ")).append('\n')
                    .append("    FROM ").append(from()).append('\n')
                    .append("    WHERE ").append(predicate == null ? "" : "(" + predicate + ")\n      AND ")
                    .append('(').append(String.join(", ", sourceKey)).append(") IN (SELECT ").append(windowKeys)
                    .append(" FROM __pgt_keys)\n")
                    .append("),\n");
            sql.append("__pgt_del AS (\n")
                    .append("    DELETE FROM ").append(st).append(" AS t USING __pgt_keys k\n")
                    .append("    WHERE ").append(match("t", storageKey, "k", windowKey)).append('\n')
                    .append("      AND NOT EXISTS (SELECT 1 FROM __pgt_new n WHERE ")
                    .append(match("n", storageKey, "t", storageKey)).append(")\n")
                    .append("    RETURNING 1\n")
                    .append("),\n");
            if (!columns.isEmpty()) {
                sql.append("__pgt_upd AS (\n")
                        .append("    UPDATE ").append(st).append(" AS t\n")
                        .append("    SET ").append(join(columns, c -> ident(c) + " = n." + ident(c), ",\n        "))
                        .append('\n')
                        .append("    FROM __pgt_new n\n")
                        .append("    WHERE ").append(match("t", storageKey, "n", storageKey));
                if (target.compareRows()) {
                    sql.append("\n      AND (").append(join(columns, c -> "t." + ident(c), ", "))
                            .append(") IS DISTINCT FROM (").append(join(columns, c -> "n." + ident(c), ", ")).append(')');
                }
                sql.append("\n    RETURNING 1\n")
                        .append("),\n");
            }
            List<String> all = storageColumns();
            sql.append("__pgt_ins AS (\n")
                    .append("    INSERT INTO ").append(st).append(" (").append(String.join(", ", all)).append(")\n")
                    .append("    SELECT ").append(join(all, c -> "n." + c, ", ")).append(" FROM __pgt_new n\n")
                    .append("    WHERE NOT EXISTS (SELECT 1 FROM ").append(st).append(" t WHERE ")
                    .append(match("t", storageKey, "n", storageKey)).append(")\n")
                    .append("    RETURNING 1\n")
                    .append(")\n")
                    .append("SELECT (SELECT count(*) FROM __pgt_ins) AS inserted,\n")
                    .append("       ").append(columns.isEmpty() ? "0::bigint" : "(SELECT count(*) FROM __pgt_upd)")
                    .append(" AS updated,\n")
                    .append("       (SELECT count(*) FROM __pgt_del) AS deleted,\n")
                    .append("       0::bigint AS missing,\n")
                    .append("       pg_catalog.pg_current_snapshot()::text AS snapshot");
            return sql.toString();
        }

        /** Columns of two row sources pairwise equal. */
        private static String match(String left, List<String> leftColumns, String right, List<String> rightColumns) {
            StringJoiner out = new StringJoiner(" AND ");
            for (int i = 0; i < leftColumns.size(); i++) {
                out.add(left + "." + leftColumns.get(i) + " = " + right + "." + rightColumns.get(i));
            }
            return out.toString();
        }

        private static String join(List<String> items, Function<String, String> each, String separator) {
            StringJoiner out = new StringJoiner(separator);
            items.forEach(i -> out.add(each.apply(i)));
            return out.toString();
        }
    }
}
