package io.pgtrickle.planner.maintain;

import static io.pgtrickle.planner.maintain.DeltaSql.ident;

import io.pgtrickle.planner.tree.Subquery;
import java.util.Map;

/**
 * The outer rows whose WHERE subquery ([NOT] EXISTS, [NOT] IN over one table) may answer differently after
 * a window: those for which the subquery, run over the changed rows of its table (old and new images),
 * finds one; after a TRUNCATE of the table, all. An EXISTS or NOT EXISTS can change its answer only then;
 * an IN or NOT IN also when a changed row's value is NULL, or the outer value is NULL and the subquery finds
 * any changed row (NOT IN is never true beside a NULL). Subquery {@code k}'s window is {@code
 * __pgt_sub_window_k}.
 */
final class SubqueryProbes {
    private SubqueryProbes() {
    }

    static String windowName(int k) {
        return "__pgt_sub_window_" + (k + 1);
    }

    /** The window CTE of subquery {@code k}'s table (its images, {@link Target#readable} columns), with its trailing comma. */
    static String window(int k, Subquery sub, Target target, Map<String, String> buffers) {
        return DeltaSql.window(windowName(k), DeltaSql.storage(target), sub.relation(),
                buffers.get(sub.relation().qualifiedName()), DeltaSql.bufferColumns(target.readable(sub.relation())));
    }

    /**
     * The condition on an outer row that its subquery {@code k} may answer differently now; false for
     * every row, without reading one, when the subquery's table has no change.
     */
    static String finds(int k, Subquery sub, Target target) {
        String window = windowName(k);
        String images = "(SELECT " + String.join(", ", target.readable(sub.relation()).stream().map(c -> ident(c)).toList())
                + " FROM " + window + " WHERE __pgt_op <> 'T') AS " + ident(sub.reference());
        String where = sub.where() == null ? "" : "\n                  WHERE " + sub.where();
        String finds;
        if (sub.left() == null) {
            finds = "EXISTS (SELECT 1 FROM " + images + where + ")";
        } else {
            // the left side is the outer query's: tested outside the subquery, where its names mean what they did
            finds = "(" + sub.left() + ") IN (SELECT " + sub.item() + " FROM " + images + where + ")\n"
                    + "       OR EXISTS (SELECT 1 FROM " + images + "\n                  WHERE "
                    + (sub.where() == null ? "" : "(" + sub.where() + ") AND ") + "(" + sub.item() + ") IS NULL)\n"
                    + "       OR (" + sub.left() + ") IS NULL AND EXISTS (SELECT 1 FROM " + images + where + ")";
        }
        // the window's emptiness first, uncorrelated: PostgreSQL tests it once, and reads no outer row
        // at all when the subquery's table did not change (the common case)
        return "EXISTS (SELECT 1 FROM " + window + ")\n       AND (" + finds + "\n       OR EXISTS (SELECT 1 FROM " + window
                + " WHERE __pgt_op = 'T'))";
    }
}
