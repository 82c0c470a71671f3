package io.pgtrickle.planner.maintain;

import static io.pgtrickle.planner.maintain.DeltaSql.ident;

import io.pgtrickle.planner.tree.Join;
import io.pgtrickle.planner.tree.Scan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The changed rows of a query's FROM clause, signed: what the counting and grouped rules add up (+1 for
 * a row the window brought, -1 for one it took away). Over one table they are its window's images. Over
 * an inner join of n table occurrences they are n terms, one per occurrence i: the images of occurrence
 * i, joined with the occurrences before it as they are now and those after it as they were before the
 * window,
 *
 * <pre>
 *   Δ(A ⋈ B ⋈ C) = ΔA ⋈ B₀ ⋈ C₀  +  A ⋈ ΔB ⋈ C₀  +  A ⋈ B ⋈ ΔC
 * </pre>
 *
 * which telescopes to the join now minus the join before: exact for any mix of changes, deletes on both
 * sides of a join in one window (the join trap) included, with no row counted twice. A table as it was
 * (X₀) is the table now, plus its window's old images, minus its new ones: a signed derived table, so a
 * term's sign is the product of its derived tables' signs. Each term is the user's FROM clause with the
 * tables' names replaced by derived tables of the same names, so the user's conditions, expressions and
 * aliases read them unchanged; a term whose table has no change is skipped when the statement runs (an
 * uncorrelated EXISTS, which PostgreSQL evaluates once before the join).
 *
 * <p>The same holds through the user's derived tables ({@code (SELECT ...) AS x}, UNION ALL inside
 * them): they are select-project-joins, linear in each occurrence, so a term replaces the occurrences
 * inside them alike, and each derived table passes the product of its items' signs on as a further
 * output ({@code __pgt_dsign_d}) for the query around it to multiply in. A UNION ALL is a sum: in the
 * term of an occurrence inside one of its branches, the other branches give no rows.
 */
final class RowChanges {
    /** One term: a FROM clause, the product of its signs, and the condition that it has rows at all (or null). */
    record Term(String from, String sign, String gate) {
    }

    private final Windows windows;
    private final List<Scan> scans;
    private final Join join;

    RowChanges(Windows windows, List<Scan> scans, Join join) {
        this.windows = windows;
        this.scans = scans;
        this.join = join;
        scans.forEach(s -> windows.add(s.relation()));
    }

    /** How a FROM clause reads a table occurrence: as it is, its window's images, as it was, or as no rows. */
    enum State { NOW, IMAGES, BEFORE, EMPTY }

    /**
     * The FROM clause (a join, no derived tables) with each occurrence read as {@code state} says: every row of
     * a derived table that stands for one carries the occurrence's sign column ({@link #signOf}), never NULL,
     * so a NULL there marks a row that an outer join NULL-extended.
     */
    String from(java.util.function.IntFunction<State> state) {
        return join.from(s -> {
            String derived = switch (state.apply(s)) {
                case NOW -> null;
                case IMAGES -> images(s);
                case BEFORE -> before(s);
                case EMPTY -> nothing(s);
            };
            return derived == null || scans.get(s).alias() != null ? derived
                    : derived + " AS " + DeltaSql.reference(scans.get(s));
        });
    }

    /** Occurrence {@code s}'s sign column as the FROM clause's rows name it. */
    String signOf(int s) {
        return DeltaSql.reference(scans.get(s)) + "." + sign(s);
    }

    /** The table occurrences of the FROM clause, in order. */
    List<Scan> scans() {
        return scans;
    }

    /** The windows the terms read. */
    Windows windows() {
        return windows;
    }

    /** The query's FROM clause as the user wrote it. */
    String from() {
        return join != null ? join.from() : DeltaSql.from(scans.get(0));
    }

    /** The terms whose signed rows add up to the change of the FROM clause's rows. */
    List<Term> terms() {
        List<Term> out = new ArrayList<>();
        for (int i = 0; i < scans.size(); i++) {
            int changed = i;
            String from;
            String sign;
            if (join == null) {
                from = images(0) + " AS " + DeltaSql.reference(scans.get(0));
                sign = DeltaSql.reference(scans.get(0)) + "." + sign(0);
            } else {
                Set<Integer> empty = emptied(changed);
                from = join.from(s -> {
                    if (s < changed && !empty.contains(s)) {
                        return null; // as it is now
                    }
                    // the text replaced is the table's name: an alias written after it stays
                    String derived = empty.contains(s) ? nothing(s) : s == changed ? images(s) : before(s);
                    return scans.get(s).alias() != null ? derived : derived + " AS " + DeltaSql.reference(scans.get(s));
                }, (d, b) -> ", " + product(join.derived().get(d).branches().get(b).items(), changed)
                        + " AS " + derivedSign(d));
                sign = product(join.top(), changed);
            }
            String gate = scans.size() == 1 ? null
                    : "EXISTS (SELECT 1 FROM " + window(i) + " WHERE __pgt_op <> 'T')";
            out.add(new Term(from, sign, gate));
        }
        return out;
    }

    /**
     * The occurrences that give no rows in the term of occurrence {@code changed}: those in the UNION ALL
     * branches beside the one that holds it. A UNION ALL is a sum, not a product: its change is the sum of
     * its branches' changes, and the other branches' rows, unchanged, are no part of this term.
     */
    private Set<Integer> emptied(int changed) {
        Set<Integer> out = new HashSet<>();
        for (Join.Derived d : join.derived()) {
            if (d.branches().stream().anyMatch(b -> within(b.items()).contains(changed))) {
                for (Join.Branch b : d.branches()) {
                    Set<Integer> inside = within(b.items());
                    if (!inside.contains(changed)) {
                        out.addAll(inside);
                    }
                }
            }
        }
        return out;
    }

    /** The occurrences among some items and inside their derived tables. */
    private Set<Integer> within(Join.Items items) {
        Set<Integer> out = new HashSet<>(items.scans());
        for (int d : items.derived()) {
            join.derived().get(d).branches().forEach(b -> out.addAll(within(b.items())));
        }
        return out;
    }

    /** Scan {@code s}'s table with no rows (PostgreSQL reads nothing for it). */
    private String nothing(int s) {
        return "(SELECT 1 AS " + sign(s) + columns(s) + " FROM " + ident(scans.get(s).relation().schema()) + "."
                + ident(scans.get(s).relation().name()) + " WHERE false)";
    }

    /** The product of the signs of a FROM clause's items in the term of occurrence {@code changed}: 1 for none. */
    private String product(Join.Items items, int changed) {
        List<String> signs = new ArrayList<>();
        for (int s : items.scans()) {
            if (s >= changed) {
                signs.add(DeltaSql.reference(scans.get(s)) + "." + sign(s));
            }
        }
        for (int d : items.derived()) {
            signs.add(ident(join.derived().get(d).reference()) + "." + derivedSign(d));
        }
        return signs.isEmpty() ? "1" : String.join(" * ", signs);
    }

    /** Scan {@code s}'s window images as a derived table: +1 for a new image, -1 for an old one. */
    private String images(int s) {
        return "(SELECT CASE WHEN __pgt_op = 'I' THEN 1 ELSE -1 END AS " + sign(s) + columns(s)
                + " FROM " + window(s) + " WHERE __pgt_op <> 'T')";
    }

    /** Scan {@code s}'s table as it was before the window: the table now, plus old images, minus new ones. */
    private String before(int s) {
        Scan scan = scans.get(s);
        return "(SELECT 1 AS " + sign(s) + columns(s) + " FROM " + ident(scan.relation().schema()) + "."
                + ident(scan.relation().name())
                + " UNION ALL SELECT CASE WHEN __pgt_op = 'I' THEN -1 ELSE 1 END" + columns(s) + " FROM " + window(s)
                + " WHERE __pgt_op <> 'T')";
    }

    private String window(int s) {
        return windows.name(scans.get(s).relation());
    }

    /** The sign column of scan {@code s}'s derived table: named per scan, so a NATURAL join cannot match two. */
    private static String sign(int s) {
        return "__pgt_sign_" + (s + 1);
    }

    /** The sign a user's derived table {@code d} passes on. */
    private static String derivedSign(int d) {
        return "__pgt_dsign_" + (d + 1);
    }

    /** Scan {@code s}'s columns the images carry, each after a comma (none when the query reads none and there is no key). */
    private String columns(int s) {
        return DeltaSql.join(windows.columns(scans.get(s).relation()), c -> ", " + DeltaSql.ident(c), "");
    }
}
