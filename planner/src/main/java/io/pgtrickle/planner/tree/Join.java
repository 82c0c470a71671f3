package io.pgtrickle.planner.tree;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * A join of its {@code scans}, in the order of the FROM clause. The join conditions stay in the user's
 * text: {@code from} is the FROM clause as written ({@code a JOIN b ON a.x = b.y}, {@code a, b}, {@code a
 * LEFT JOIN b ON ...}), and comma joins have theirs in the WHERE clause, a {@link Filter} above.
 *
 * @param anchors the scans an outer join may NULL-extend (by index in {@code scans}), each with its anchor:
 *     the scans of its join's preserved side that are never NULL-extended; empty for inner joins only
 *     (see {@link JoinLayout})
 * @param tables per scan, where its table's name ({@code public.src} of {@code public.src AS s}) is in
 *     {@code from}: what {@link #from(IntFunction)} replaces
 * @param derived the derived tables ({@code (SELECT ...) AS x}) of the FROM clause, nested ones included,
 *     in text order; {@code scans} then holds every table occurrence, inside them too, in text order
 * @param top the FROM clause's own items: the scans and derived tables it joins directly
 */
public record Join(List<Scan> scans, String from, Map<Integer, List<Integer>> anchors, List<Range> tables,
        List<Derived> derived, Items top) implements Operator {

    /** Offsets in {@link #from}: {@code start} inclusive, {@code end} exclusive. */
    public record Range(int start, int end) {
    }

    /** The items a FROM clause joins: table occurrences (indexes in {@link #scans}) and derived tables (in {@link #derived}). */
    public record Items(List<Integer> scans, List<Integer> derived) {
        public Items {
            scans = List.copyOf(scans);
            derived = List.copyOf(derived);
        }
    }

    /**
     * A derived table, a SELECT or a UNION ALL of SELECTs, each a select-project-join (what is linear in
     * its tables' rows).
     *
     * @param reference the name the query gives it (its alias)
     * @param branches per SELECT: where its select list ends in {@link #from}, and the items its FROM joins
     */
    public record Derived(String reference, List<Branch> branches) {
        public Derived {
            branches = List.copyOf(branches);
        }
    }

    /** One SELECT of a derived table. */
    public record Branch(int selectEnd, Items items) {
    }

    public Join {
        scans = List.copyOf(scans);
        Map<Integer, List<Integer>> copy = new TreeMap<>();
        anchors.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        anchors = java.util.Collections.unmodifiableMap(copy);
        tables = List.copyOf(tables);
        derived = List.copyOf(derived);
        if (tables.size() != scans.size()) {
            throw new IllegalArgumentException("one table range per scan");
        }
    }

    /** A join of tables only, which it joins directly. */
    public Join(List<Scan> scans, String from, Map<Integer, List<Integer>> anchors, List<Range> tables) {
        this(scans, from, anchors, tables, List.of(),
                new Items(IntStream.range(0, scans.size()).boxed().toList(), List.of()));
    }

    /**
     * The FROM clause with the table of each scan {@code s} replaced by {@code table.apply(s)} (a derived
     * table with the scan's alias, say), or kept as written where that gives null.
     */
    public String from(IntFunction<String> table) {
        return from(table, (d, b) -> "");
    }

    /**
     * As {@link #from(IntFunction)}, and with {@code after.apply(d, b)} written after the select list of
     * branch {@code b} of derived table {@code d} (a further output, say).
     */
    public String from(IntFunction<String> table, BiFunction<Integer, Integer, String> after) {
        record Edit(int start, int end, String text) {
        }
        List<Edit> edits = new ArrayList<>();
        for (int s = 0; s < scans.size(); s++) {
            String replacement = table.apply(s);
            if (replacement != null) {
                edits.add(new Edit(tables.get(s).start(), tables.get(s).end(), replacement));
            }
        }
        for (int d = 0; d < derived.size(); d++) {
            for (int b = 0; b < derived.get(d).branches().size(); b++) {
                int end = derived.get(d).branches().get(b).selectEnd();
                edits.add(new Edit(end, end, after.apply(d, b)));
            }
        }
        edits.sort(Comparator.comparingInt(Edit::start));
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (Edit e : edits) {
            out.append(from, at, e.start()).append(e.text());
            at = e.end();
        }
        return out.append(from.substring(at)).toString();
    }

    @Override
    public String describe() {
        if (!derived.isEmpty()) {
            StringJoiner names = new StringJoiner(", ");
            derived.forEach(d -> names.add(d.reference()));
            return "Join[inner: " + from + "; subqueries: " + names + "]";
        }
        if (anchors.isEmpty()) {
            return "Join[inner: " + from + "]";
        }
        StringJoiner nulled = new StringJoiner(", ");
        anchors.forEach((s, anchor) -> {
            StringJoiner on = new StringJoiner(", ");
            anchor.forEach(a -> on.add(name(a)));
            nulled.add(name(s) + " anchored on " + on);
        });
        return "Join[outer: " + from + "; NULL-extended: " + nulled + "]";
    }

    private String name(int scan) {
        Scan s = scans.get(scan);
        return s.alias() != null ? s.alias() : s.relation().name();
    }

    @Override
    public List<Operator> inputs() {
        return List.copyOf(scans);
    }
}
