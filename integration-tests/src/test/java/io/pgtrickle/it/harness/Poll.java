package io.pgtrickle.it.harness;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/** Waits for a condition with a deadline, checking it every few milliseconds: no sleep stands in for an assertion. */
public final class Poll {
    private Poll() {
    }

    /** Returns once {@code condition} holds; fails with {@code what} and the last error when {@code limit} passes first. */
    public static Duration until(Duration limit, String what, Callable<Boolean> condition) throws Exception {
        Instant start = Instant.now();
        Instant deadline = start.plus(limit);
        Throwable last = null;
        while (true) {
            try {
                if (condition.call()) {
                    return Duration.between(start, Instant.now());
                }
                last = null;
            } catch (AssertionError | Exception e) {
                last = e;
            }
            if (Instant.now().isAfter(deadline)) {
                AssertionError failure = new AssertionError("not within " + limit.toMillis() + " ms: " + what);
                if (last != null) {
                    failure.initCause(last);
                }
                throw failure;
            }
            Thread.sleep(10);
        }
    }
}
