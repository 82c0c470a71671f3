package io.pgtrickle.planner;

import io.pgtrickle.planner.catalog.PgCatalog;
import io.pgtrickle.planner.catalog.PgColumn;
import io.pgtrickle.planner.catalog.PgRelation;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden-file test of the planner's analysis ({@link Golden}): every case in {@code operators.golden} is a
 * defining query and the operator tree (or the reason it is not maintainable) the planner must give.
 */
class GoldenOperatorTreeTest {
    private static final String FILE = "operators.golden";

    static PgCatalog catalog() {
        PgRelation src = new PgRelation("public", "src", List.of(
                new PgColumn("id", "integer", true),
                new PgColumn("region", "text", false),
                new PgColumn("category", "character varying(20)", false),
                new PgColumn("amount", "numeric(12,2)", false),
                new PgColumn("score", "double precision", false),
                new PgColumn("created", "timestamp with time zone", false),
                new PgColumn("payload", "jsonb", false)), List.of("id"), 16384);
        PgRelation dim = new PgRelation("public", "dim", List.of(
                new PgColumn("region", "text", true),
                new PgColumn("name", "text", false)), List.of("region"), 16390);
        PgRelation keyless = new PgRelation("public", "events", List.of(
                new PgColumn("kind", "text", false),
                new PgColumn("n", "bigint", false)), List.of(), 16400);
        PgRelation mixed = new PgRelation("sales", "Orders", List.of(
                new PgColumn("Id", "bigint", true),
                new PgColumn("order", "integer", false),
                new PgColumn("total", "numeric", false)), List.of("Id"), 16410);
        PgRelation lines = new PgRelation("public", "lines", List.of(
                new PgColumn("order_id", "bigint", true),
                new PgColumn("line_no", "smallint", true),
                new PgColumn("qty", "integer", false)), List.of("order_id", "line_no"), 16420);
        // views as the engine gives them: PostgreSQL's own print of the definition, casts in parentheses
        PgRelation bigOrders = view("big_orders", List.of(new PgColumn("id", "integer", false),
                new PgColumn("region", "text", false), new PgColumn("amount", "numeric(12,2)", false)),
                " SELECT id,\n    region,\n    amount\n   FROM public.src\n  WHERE (amount > ((100)::numeric))", 16430);
        PgRelation named = view("named", List.of(new PgColumn("id", "integer", false), new PgColumn("name", "text", false)),
                " SELECT s.id,\n    d.name\n   FROM (public.src s\n     JOIN public.dim d ON ((d.region = s.region)))", 16440);
        PgRelation bigNamed = view("big_named", List.of(new PgColumn("id", "integer", false),
                new PgColumn("amount", "numeric(12,2)", false)),
                " SELECT b.id,\n    b.amount\n   FROM public.big_orders b\n  WHERE (b.region IS NOT NULL)", 16450);
        PgRelation totals = view("region_totals", List.of(new PgColumn("region", "text", false),
                new PgColumn("total", "numeric", false)),
                " SELECT region,\n    sum(amount) AS total\n   FROM public.src\n  GROUP BY region", 16460);
        return new PgCatalog(List.of(src, dim, keyless, mixed, lines, bigOrders, named, bigNamed, totals),
                List.of("public"));
    }

    private static PgRelation view(String name, List<PgColumn> columns, String definition, long oid) {
        return new PgRelation("public", name, columns, List.of(), oid, new PgRelation.View(definition, definition));
    }

    static String actual(String query) {
        Planner.Analysis a = Planner.analyze(query, catalog());
        if (a instanceof Planner.Maintainable m) {
            return m.tree().render().strip();
        }
        return "not maintainable: " + ((Planner.NotMaintainable) a).reason();
    }

    @Test
    void everyCaseGivesItsGoldenResult() throws IOException {
        Golden.check(getClass(), FILE, GoldenOperatorTreeTest::actual);
    }
}
