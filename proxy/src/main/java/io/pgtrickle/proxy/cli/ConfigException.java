package io.pgtrickle.proxy.cli;

/**
 * A setting the user has to fix. The command line reports it as one line on stderr and exits with
 * status {@value #EXIT_STATUS}; the message says what is wrong and what to change.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Exit status for misconfiguration (picocli's status for invalid input, too). */
    public static final int EXIT_STATUS = 2;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
