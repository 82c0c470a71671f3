package io.pgtrickle.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.planner.catalog.PgCatalog;
import io.pgtrickle.planner.catalog.PgColumn;
import io.pgtrickle.planner.catalog.PgRelation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden-file test of the planner, after Calcite's RelOptRulesTest: every case in
 * {@code operators.golden} is a defining query and the operator tree (or the reason it is not
 * maintainable) the planner must give. On a mismatch the actual results of all cases are written to
 * {@code target/golden/operators.golden}: review the difference, and copy it over the resource when it
 * is right.
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
                new PgColumn("payload", "jsonb", false)), List.of("id"));
        PgRelation dim = new PgRelation("public", "dim", List.of(
                new PgColumn("region", "text", true),
                new PgColumn("name", "text", false)), List.of("region"));
        PgRelation keyless = new PgRelation("public", "events", List.of(
                new PgColumn("kind", "text", false),
                new PgColumn("n", "bigint", false)), List.of());
        PgRelation mixed = new PgRelation("sales", "Orders", List.of(
                new PgColumn("Id", "bigint", true),
                new PgColumn("order", "integer", false),
                new PgColumn("total", "numeric", false)), List.of("Id"));
        return new PgCatalog(List.of(src, dim, keyless, mixed), List.of("public"));
    }

    /** One case: a title, the query, and what the planner must say. */
    record Case(String title, String query, String expected) {
    }

    static List<Case> cases(String text) {
        List<Case> out = new ArrayList<>();
        for (String block : text.split("(?m)^=== ")) {
            if (block.isBlank()) {
                continue;
            }
            int nl = block.indexOf('\n');
            String title = block.substring(0, nl).strip();
            String rest = block.substring(nl + 1);
            int sep = rest.indexOf("\n---\n");
            out.add(new Case(title, rest.substring(0, sep).strip(), rest.substring(sep + 5).strip()));
        }
        return out;
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
        String golden;
        try (InputStream in = getClass().getResourceAsStream(FILE)) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Case> cases = cases(golden);
        assertThat(cases).hasSizeGreaterThan(10);
        StringBuilder written = new StringBuilder();
        List<String> mismatches = new ArrayList<>();
        for (Case c : cases) {
            String got = actual(c.query());
            written.append("=== ").append(c.title()).append('\n').append(c.query()).append("\n---\n").append(got)
                    .append("\n\n");
            if (!got.equals(c.expected())) {
                mismatches.add(c.title() + ":\n  expected: " + c.expected().replace("\n", "\n            ")
                        + "\n  actual:   " + got.replace("\n", "\n            "));
            }
        }
        if (!mismatches.isEmpty()) {
            Path out = Path.of("target", "golden", FILE);
            Files.createDirectories(out.getParent());
            Files.writeString(out, written.toString().strip() + "\n");
        }
        assertThat(mismatches).as("cases differing from " + FILE + " (all actual results in target/golden/)").isEmpty();
    }
}
