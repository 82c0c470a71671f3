package io.pgtrickle.planner.maintain;

import static io.pgtrickle.planner.maintain.DeltaSql.ident;

import io.pgtrickle.planner.tree.Project;
import io.pgtrickle.planner.tree.Scan;
import java.util.List;
import java.util.StringJoiner;

/**
 * The delta of a projection over an optional filter over a table without a primary key, whose rows
 * may repeat. With no key to recompute, it works on images (DESIGN §4, Z-sets): the query runs over the
 * window's rows, each inserted image counting +1 and each deleted one -1; equal result rows add up, so
 * only the net count of each distinct result row is applied. That many copies are inserted, or deleted
 * from the storage table (any stored rows equal to it: a multiset does not tell copies apart), found
 * through the hidden column {@code __pgt_row_hash} ({@code hash_record_extended} of the row, indexed)
 * and compared in full, so a hash collision costs a comparison and never a wrong row.
 *
 * <p>A TRUNCATE marker in the window makes the same statement replace every stored row with the query's
 * result. The statement reports how many rows it should have deleted and did not find ({@code missing}):
 * more than none means the storage had drifted from its query, and the caller undoes the statement and
 * recomputes.
 */
final class KeylessDelta {
    static final String ROW_HASH = "__pgt_row_hash";

    private final Target target;
    private final Scan scan;
    private final String predicate;
    private final List<Project.Output> outputs;
    private final List<String> columns;
    private final String buffer;

    KeylessDelta(Target target, Scan scan, String predicate, List<Project.Output> outputs, List<String> columns,
            String buffer) {
        this.target = target;
        this.scan = scan;
        this.predicate = predicate;
        this.outputs = outputs;
        this.columns = columns;
        this.buffer = buffer;
    }

    MaintenancePlan compile() {
        return new MaintenancePlan(MaintenancePlan.Rule.IMAGES_COUNTED, List.of(new MaintenancePlan.Column(ROW_HASH, "bigint")),
                List.of(new MaintenancePlan.Index(List.of(ROW_HASH), false)), populate(),
                delta());
    }

    private String selectList() {
        StringJoiner list = new StringJoiner(",\n           ");
        for (int i = 0; i < outputs.size(); i++) {
            list.add(outputs.get(i).expression() + " AS " + ident(columns.get(i)));
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
        String table = ident(scan.relation().schema()) + "." + ident(scan.relation().name());
        String from = scan.alias() != null ? table + " AS " + ident(scan.alias()) : table;
        return "SELECT " + columnList("q.") + ", " + hash("q.") + " AS " + ident(ROW_HASH) + "\nFROM (\n    SELECT "
                + selectList() + "\n    FROM " + from + (predicate == null ? "" : "\n    WHERE " + predicate)
                + "\n) q";
    }

    private String delta() {
        String st = DeltaSql.storage(target);
        String truncated = DeltaSql.TRUNCATED;
        return "WITH " + DeltaSql.window("__pgt_window", st, scan.relation(), buffer, DeltaSql.bufferColumns(scan.relation()))
                + "__pgt_changes AS (\n"
                + "    -- the query over the changed rows' images: +1 for an inserted row, -1 for a deleted one\n"
                + "    SELECT " + selectList() + ",\n"
                + "           CASE WHEN " + DeltaSql.reference(scan) + ".__pgt_op = 'I' THEN 1 ELSE -1 END AS __pgt_weight\n"
                + "    FROM (SELECT * FROM __pgt_window WHERE __pgt_op <> 'T') AS " + DeltaSql.reference(scan) + "\n"
                + (predicate == null ? "" : "    WHERE " + predicate + "\n")
                + "),\n"
                + "__pgt_delta AS (\n"
                + "    -- the net count of each distinct result row\n"
                + "    SELECT " + columnList("") + ", sum(__pgt_weight) AS __pgt_count, row_number() OVER () AS __pgt_n\n"
                + "    FROM __pgt_changes GROUP BY " + columnList("") + " HAVING sum(__pgt_weight) <> 0\n"
                + "),\n"
                + "__pgt_gone AS (\n"
                + "    -- as many stored rows equal to each removed result row as it lost copies\n"
                + "    SELECT x.ctid FROM (\n"
                + "        SELECT t.ctid, d.__pgt_count, row_number() OVER (PARTITION BY d.__pgt_n ORDER BY t.ctid) AS __pgt_copy\n"
                + "        FROM __pgt_delta d JOIN " + st + " t ON t." + ident(ROW_HASH) + " = " + hash("d.") + "\n"
                + "         AND t." + ident(ROW_HASH) + " = ANY (ARRAY(SELECT " + hash("") + " FROM __pgt_delta WHERE __pgt_count < 0))\n"
                + "         AND (" + columnList("t.") + ") IS NOT DISTINCT FROM (" + columnList("d.") + ")\n"
                + "        WHERE d.__pgt_count < 0\n"
                + "    ) x WHERE x.__pgt_copy <= -x.__pgt_count\n"
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
