package io.pgtrickle.sql.engine;

import java.util.List;

/** What a successful call sends back besides its (void) result: its notices, in order. */
public record Outcome(List<Notice> notices) {
    public Outcome {
        notices = List.copyOf(notices);
    }
}
