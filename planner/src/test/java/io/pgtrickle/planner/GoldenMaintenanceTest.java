package io.pgtrickle.planner;

import io.pgtrickle.planner.catalog.PgRelation;
import io.pgtrickle.planner.maintain.DeltaSql;
import io.pgtrickle.planner.maintain.MaintenancePlan;
import io.pgtrickle.planner.maintain.Target;
import io.pgtrickle.planner.tree.TreeBuilder;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Golden-file test of the maintenance SQL ({@link Golden}): every case in {@code maintenance.golden} is
 * a defining query and what the planner compiles it into (hidden columns, indexes, the columns read from
 * each change buffer, the populate query, the delta statement) for the stream table {@code public.st},
 * or why it cannot. A query's leading comment lines {@code -- references public.src: a, b} stand for
 * the engine's {@code Target.referenced} (PostgreSQL's dependency records); without them every source
 * is read whole.
 */
class GoldenMaintenanceTest {
    private static final String FILE = "maintenance.golden";

    static String actual(String query) {
        Planner.Analysis a = Planner.analyze(query, GoldenOperatorTreeTest.catalog());
        if (a instanceof Planner.NotMaintainable n) {
            return "not maintainable: " + n.reason();
        }
        Map<String, String> buffers = new HashMap<>();
        for (Map<String, PgRelation> schema : GoldenOperatorTreeTest.catalog().schemas().values()) {
            for (PgRelation r : schema.values()) {
                buffers.put(r.qualifiedName(), "changes_" + r.oid());
            }
        }
        Map<String, Set<String>> referenced = new HashMap<>();
        for (String line : query.lines().toList()) {
            if (line.startsWith("-- references ")) {
                String[] parts = line.substring("-- references ".length()).split(":", 2);
                referenced.put(parts[0].strip(), parts[1].isBlank() ? Set.of()
                        : Arrays.stream(parts[1].split(",")).map(String::strip).collect(Collectors.toSet()));
            }
        }
        try {
            MaintenancePlan plan = DeltaSql.plan(((Planner.Maintainable) a).tree(),
                    new Target("public", "st", null, true, true, buffers, referenced));
            StringBuilder out = new StringBuilder("hidden columns:");
            plan.hiddenColumns().forEach(c -> out.append(' ').append(c.name()).append(' ').append(c.type()).append(';'));
            plan.indexes().forEach(i -> out.append(i.unique() ? "\nunique index: " : "\nindex: ")
                    .append(String.join(", ", i.columns())).append(i.nullsNotDistinct() ? " (NULLS NOT DISTINCT)" : ""));
            out.append("\nbuffer columns:");
            new TreeMap<>(plan.bufferColumns()).forEach((source, columns) -> out.append(' ').append(source)
                    .append(" (").append(String.join(", ", columns)).append(");"));
            return out.append("\n--- populate\n").append(plan.populateQuery())
                    .append("\n--- delta\n").append(plan.deltaStatement()).toString();
        } catch (TreeBuilder.Unsupported e) {
            return "no maintenance: " + e.getMessage();
        }
    }

    @Test
    void everyCaseGivesItsGoldenResult() throws IOException {
        Golden.check(getClass(), FILE, GoldenMaintenanceTest::actual);
    }
}
