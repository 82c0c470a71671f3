package io.pgtrickle.planner.maintain;

import static io.pgtrickle.planner.maintain.DeltaSql.ident;

import io.pgtrickle.planner.catalog.PgRelation;
import io.pgtrickle.planner.tree.Join;
import io.pgtrickle.planner.tree.Scan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The changed rows of a query's FROM clause, signed: what the grouped rules add up (+1 for a row the
 * window brought, -1 for one it took away). Over one table they are its window's images. Over an inner
 * join of n tables they are n terms, one per table i: the images of table i, joined with the tables
 * before it as they are now and the tables after it as they were before the window,
 *
 * <pre>
 *   Δ(A ⋈ B ⋈ C) = ΔA ⋈ B₀ ⋈ C₀  +  A ⋈ ΔB ⋈ C₀  +  A ⋈ B ⋈ ΔC
 * </pre>
 *
 * which telescopes to the join now minus the join before: exact for any mix of changes, deletes on both
 * sides of a join in one window (the join trap) included, with no row counted twice. A table as it was
 * (X₀) is the table now, plus its window's old images, minus its new ones: a signed derived table, so a
 * term's sign is the product of its derived tables' signs. Each term is the user's FROM clause with the
 * tables replaced by derived tables of the same names, so the user's conditions, expressions and
 * aliases read them unchanged; a term whose table has no change is skipped when the statement runs (an
 * uncorrelated EXISTS, which PostgreSQL evaluates once before the join).
 */
final class RowChanges {
    /** One term: a FROM clause, the product of its signs, and the condition that it has rows at all (or null). */
    record Term(String from, String sign, String gate) {
    }

    private final String storage;
    private final List<Scan> scans;
    private final Join join;
    private final Map<String, String> buffers;
    /** One window per source relation (a self join reads one buffer twice), by qualified name. */
    private final Map<String, String> windows = new LinkedHashMap<>();

    RowChanges(String storage, List<Scan> scans, Join join, Map<String, String> buffers) {
        this.storage = storage;
        this.scans = scans;
        this.join = join;
        this.buffers = buffers;
        for (Scan scan : scans) {
            String name = scan.relation().qualifiedName();
            if (!windows.containsKey(name)) {
                windows.put(name, scans.size() == 1 ? "__pgt_window" : "__pgt_window_" + (windows.size() + 1));
            }
        }
    }

    /** The query's FROM clause as the user wrote it. */
    String from() {
        return join != null ? join.from() : DeltaSql.from(scans.get(0));
    }

    /** The window CTEs, each followed by a comma. */
    String windows() {
        StringBuilder out = new StringBuilder();
        for (Scan scan : scans) {
            String name = scan.relation().qualifiedName();
            String window = windows.get(name);
            if (out.indexOf(window + " AS (") < 0) {
                out.append(DeltaSql.window(window, storage, scan.relation(), buffers.get(name), DeltaSql.bufferColumns(scan.relation())));
            }
        }
        return out.toString();
    }

    /** True when a window holds a TRUNCATE marker: the changes are then the source now minus what was stored. */
    String truncated() {
        if (windows.size() == 1) {
            return windows.values().iterator().next().equals("__pgt_window") ? DeltaSql.TRUNCATED
                    : "EXISTS (SELECT 1 FROM " + windows.values().iterator().next() + " WHERE __pgt_op = 'T')";
        }
        StringJoiner any = new StringJoiner(" OR ", "(", ")");
        windows.values().forEach(w -> any.add("EXISTS (SELECT 1 FROM " + w + " WHERE __pgt_op = 'T')"));
        return any.toString();
    }

    /** The terms whose signed rows add up to the change of the FROM clause's rows. */
    List<Term> terms() {
        List<Term> out = new ArrayList<>();
        for (int i = 0; i < scans.size(); i++) {
            int changed = i;
            List<String> signs = new ArrayList<>();
            String from;
            if (join == null) {
                from = images(0) + " AS " + DeltaSql.reference(scans.get(0));
            } else {
                from = join.from(s -> {
                    if (s < changed) {
                        return null; // as it is now
                    }
                    // the text replaced is the table's name: an alias written after it stays
                    String derived = s == changed ? images(s) : before(s);
                    return scans.get(s).alias() != null ? derived : derived + " AS " + DeltaSql.reference(scans.get(s));
                });
            }
            for (int s = i; s < scans.size(); s++) {
                signs.add(DeltaSql.reference(scans.get(s)) + "." + sign(s));
            }
            String gate = scans.size() == 1 ? null
                    : "EXISTS (SELECT 1 FROM " + window(i) + " WHERE __pgt_op <> 'T')";
            out.add(new Term(from, String.join(" * ", signs), gate));
        }
        return out;
    }

    /** Scan {@code s}'s window images as a derived table: +1 for a new image, -1 for an old one. */
    private String images(int s) {
        return "(SELECT CASE WHEN __pgt_op = 'I' THEN 1 ELSE -1 END AS " + sign(s) + ", " + columns(s)
                + " FROM " + window(s) + " WHERE __pgt_op <> 'T')";
    }

    /** Scan {@code s}'s table as it was before the window: the table now, plus old images, minus new ones. */
    private String before(int s) {
        Scan scan = scans.get(s);
        return "(SELECT 1 AS " + sign(s) + ", " + columns(s) + " FROM " + ident(scan.relation().schema()) + "."
                + ident(scan.relation().name())
                + " UNION ALL SELECT CASE WHEN __pgt_op = 'I' THEN -1 ELSE 1 END, " + columns(s) + " FROM " + window(s)
                + " WHERE __pgt_op <> 'T')";
    }

    private String window(int s) {
        return windows.get(scans.get(s).relation().qualifiedName());
    }

    /** The sign column of scan {@code s}'s derived table: named per scan, so a NATURAL join cannot match two. */
    private static String sign(int s) {
        return "__pgt_sign_" + (s + 1);
    }

    private String columns(int s) {
        PgRelation relation = scans.get(s).relation();
        return DeltaSql.join(relation.columns().stream().map(c -> c.name()).toList(), DeltaSql::ident, ", ");
    }
}
