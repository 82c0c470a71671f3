package io.pgtrickle.sql.engine;

import java.util.List;

/**
 * What a successful call sends back: its notices, in order, and the rows of a call that returns a table
 * (each a value per column of the function's {@code resultColumns}; empty for a void call).
 */
public record Outcome(List<Notice> notices, List<List<String>> rows) {
    public Outcome {
        notices = List.copyOf(notices);
        rows = List.copyOf(rows);
    }

    public Outcome(List<Notice> notices) {
        this(notices, List.of());
    }
}
