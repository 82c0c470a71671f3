package io.pgtrickle.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Golden files, after Calcite's RelOptRulesTest: a file of cases, each a title ({@code === title}), a
 * defining query, {@code ---} and the result the planner must give. On a mismatch the actual results of
 * all cases are written to {@code target/golden/<file>}: review the difference, and copy it over the
 * resource when it is right.
 */
final class Golden {

    /** One case: a title, the query, and what the planner must say. */
    record Case(String title, String query, String expected) {
    }

    private Golden() {
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

    static void check(Class<?> test, String file, Function<String, String> actual) throws IOException {
        String golden;
        try (InputStream in = test.getResourceAsStream(file)) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Case> cases = cases(golden);
        assertThat(cases).hasSizeGreaterThan(4);
        StringBuilder written = new StringBuilder();
        List<String> mismatches = new ArrayList<>();
        for (Case c : cases) {
            String got = actual.apply(c.query());
            written.append("=== ").append(c.title()).append('\n').append(c.query()).append("\n---\n").append(got)
                    .append("\n\n");
            if (!got.equals(c.expected())) {
                mismatches.add(c.title() + ":\n  expected: " + c.expected().replace("\n", "\n            ")
                        + "\n  actual:   " + got.replace("\n", "\n            "));
            }
        }
        if (!mismatches.isEmpty()) {
            Path out = Path.of("target", "golden", file);
            Files.createDirectories(out.getParent());
            Files.writeString(out, written.toString().strip() + "\n");
        }
        assertThat(mismatches).as("cases differing from " + file + " (all actual results in target/golden/)").isEmpty();
    }
}
