package io.pgtrickle.planner.maintain;

import static io.pgtrickle.planner.maintain.DeltaSql.ident;

import java.util.List;
import java.util.StringJoiner;

/**
 * The delta of a select-project-join query counted row by row (DESIGN §4, Z-sets): over a table without
 * a primary key, whose rows may repeat, over joins with one, over derived tables, and over the branches
 * of a UNION ALL. The user's select list and predicate run over the FROM clause's signed changed rows
 * ({@link RowChanges}: a table's window images, a join's one term per table), each counting its sign;
 * equal result rows add up, so only the net count of each distinct result row is applied. That many
 * copies are inserted, or deleted from the storage table (any stored rows equal to it: a multiset does
 * not tell copies apart), found through the hidden column {@code __pgt_row_hash}
 * ({@code hash_record_extended} of the row, indexed) and compared in full, so a hash collision costs a
 * comparison and never a wrong row.
 *
 * <p>A TRUNCATE marker in a window makes the same statement replace every stored row with the query's
 * result. The statement reports how many rows it should have deleted and did not find ({@code missing}):
 * more than none means the storage had drifted from its query, and the caller undoes the statement and
 * recomputes.
 */
final class CountedDelta {
    static final String ROW_HASH = "__pgt_row_hash";

    /** One select-project-join of the query: its FROM clause's changes, WHERE (or null) and output expressions. */
    record Branch(RowChanges changes, String predicate, List<String> expressions) {
    }

    private final Target target;
    private final Windows windows;
    private final List<Branch> branches;
    private final List<String> columns;

    CountedDelta(Target target, Windows windows, List<Branch> branches, List<String> columns) {
        this.target = target;
        this.windows = windows;
        this.branches = branches;
        this.columns = columns;
    }

    MaintenancePlan compile() {
        return new MaintenancePlan(MaintenancePlan.Rule.IMAGES_COUNTED, List.of(new MaintenancePlan.Column(ROW_HASH, "bigint")),
                List.of(new MaintenancePlan.Index(List.of(ROW_HASH), false)), populate(),
                delta());
    }

    private String selectList(Branch branch) {
        StringJoiner list = new StringJoiner(",\n           ");
        for (int i = 0; i < columns.size(); i++) {
            list.add(branch.expressions().get(i) + " AS " + ident(columns.get(i)));
        }
        return list.toString();
    }

    /** {@code prefix."c1", prefix."c2", ...} over the user's columns. */
    private String columnList(String prefix) {
        StringJoiner out = new StringJoiner(", ");
        columns.forEach(c -> out.add(prefix + ident(c)));
        return out.toString();
    }

    private String hash(String prefix) {
        return "pg_catalog.hash_record_extended(ROW(" + columnList(prefix) + "), 0)";
    }

    private String populate() {
        StringJoiner query = new StringJoiner("\n    UNION ALL\n");
        for (Branch b : branches) {
            query.add("    SELECT " + selectList(b) + "\n    FROM " + b.changes().from()
                    + (b.predicate() == null ? "" : "\n    WHERE " + b.predicate()));
        }
        return "SELECT " + columnList("q.") + ", " + hash("q.") + " AS " + ident(ROW_HASH) + "\nFROM (\n" + query + "\n) q";
    }

    /** The query over the signed changed rows of every branch: its rows, each with its sign. */
    private String changes() {
        StringJoiner out = new StringJoiner("    UNION ALL\n");
        for (Branch b : branches) {
            for (RowChanges.Term term : b.changes().terms()) {
                String where = term.gate() == null ? b.predicate()
                        : b.predicate() == null ? term.gate() : term.gate() + " AND (" + b.predicate() + ")";
                out.add("    SELECT " + selectList(b) + ",\n           " + term.sign() + " AS __pgt_weight\n"
                        + "    FROM " + term.from() + "\n" + (where == null ? "" : "    WHERE " + where + "\n"));
            }
        }
        return out.toString();
    }

    private String delta() {
        String st = DeltaSql.storage(target);
        String truncated = windows.truncated();
        return "WITH " + windows.ctes()
                + "__pgt_changes AS (\n"
                + "    -- the query over the changed rows: +1 for one the window brought, -1 for one it took away\n"
                + changes()
                + "),\n"
                + "__pgt_delta AS (\n"
                + "    -- the net count of each distinct result row\n"
                + "    SELECT " + columnList("") + ", sum(__pgt_weight) AS __pgt_count\n"
                + "    FROM __pgt_changes GROUP BY " + columnList("") + " HAVING sum(__pgt_weight) <> 0\n"
                + "),\n"
                + "__pgt_gone AS (\n"
                + "    -- as many stored rows equal to each removed result row as it lost copies: the first the\n"
                + "    -- row-hash index finds, so the work follows the copies lost, not the copies stored\n"
                + "    SELECT g.ctid FROM __pgt_delta d CROSS JOIN LATERAL (\n"
                + "        SELECT t.ctid FROM " + st + " t WHERE t." + ident(ROW_HASH) + " = " + hash("d.") + "\n"
                + "         AND (" + columnList("t.") + ") IS NOT DISTINCT FROM (" + columnList("d.") + ")\n"
                + "        LIMIT -d.__pgt_count) g\n"
                + "    WHERE d.__pgt_count < 0\n"
                + "),\n"
                + "__pgt_del AS (\n"
                + "    DELETE FROM " + st + " t\n"
                + "    WHERE t.ctid = ANY (ARRAY(SELECT ctid FROM __pgt_gone)) AND NOT " + truncated + "\n"
                + "    RETURNING 1\n"
                + "),\n"
                + "__pgt_clear AS (\n"
                + "    -- after a TRUNCATE: every stored row\n"
                + "    DELETE FROM " + st + " t WHERE " + truncated + "\n"
                + "    RETURNING 1\n"
                + "),\n"
                + "__pgt_ins AS (\n"
                + "    INSERT INTO " + st + " (" + columnList("") + ", " + ident(ROW_HASH) + ")\n"
                + "    SELECT " + columnList("d.") + ", " + hash("d.") + "\n"
                + "    FROM __pgt_delta d, pg_catalog.generate_series(1, d.__pgt_count) g\n"
                + "    WHERE d.__pgt_count > 0 AND NOT " + truncated + "\n"
                + "    UNION ALL\n"
                + "    -- after a TRUNCATE: the whole result\n"
                + "    SELECT * FROM (\n" + populate() + "\n    ) p WHERE " + truncated + "\n"
                + "    RETURNING 1\n"
                + ")\n"
                + "SELECT (SELECT count(*) FROM __pgt_ins) AS inserted,\n"
                + "       0::bigint AS updated,\n"
                + "       (SELECT count(*) FROM __pgt_del) + (SELECT count(*) FROM __pgt_clear) AS deleted,\n"
                + "       CASE WHEN " + truncated + " THEN 0::bigint ELSE (SELECT coalesce(sum(-__pgt_count), 0) "
                + "FROM __pgt_delta WHERE __pgt_count < 0)::bigint - (SELECT count(*) FROM __pgt_gone) END AS missing,\n"
                + "       pg_catalog.pg_current_snapshot()::text AS snapshot";
    }

}
