package io.pgtrickle.planner;

import io.pgtrickle.planner.catalog.PgRelation;
import io.pgtrickle.planner.maintain.DeltaSql;
import io.pgtrickle.planner.maintain.MaintenancePlan;
import io.pgtrickle.planner.maintain.Target;
import io.pgtrickle.planner.tree.TreeBuilder;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden-file test of the maintenance SQL ({@link Golden}): every case in {@code maintenance.golden} is
 * a defining query and what the planner compiles it into (hidden columns, the populate query, the delta
 * statement) for the stream table {@code public.st}, or why it cannot.
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
        try {
            MaintenancePlan plan = DeltaSql.plan(((Planner.Maintainable) a).tree(),
                    new Target("public", "st", null, true, true, buffers));
            StringBuilder out = new StringBuilder("hidden columns:");
            plan.hiddenColumns().forEach(c -> out.append(' ').append(c.name()).append(' ').append(c.type()).append(';'));
            plan.indexes().forEach(i -> out.append(i.unique() ? "\nunique index: " : "\nindex: ")
                    .append(String.join(", ", i.columns())).append(i.nullsNotDistinct() ? " (NULLS NOT DISTINCT)" : ""));
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
