package io.pgtrickle.proxy;

import io.pgtrickle.proxy.cli.ProxyCommand;

/** Entry point of {@code java -jar pgtrickle-proxy.jar}; see {@link ProxyCommand} for the options. */
public final class ProxyMain {
    /**
     * Netty settings for production, each kept when the user sets it: the buffer leak detector records
     * a stack trace for sampled buffers, and the accessibility and bounds checks cost every buffer
     * access; the tests run the relay with all of them on. Measured in docs/benchmarks.md.
     */
    private static final String[][] NETTY_DEFAULTS = {
        {"io.netty.leakDetection.level", "disabled"},
        {"io.netty.buffer.checkAccessible", "false"},
        {"io.netty.buffer.checkBounds", "false"},
    };

    private ProxyMain() {
    }

    public static void main(String[] args) {
        for (String[] setting : NETTY_DEFAULTS) {
            if (System.getProperty(setting[0]) == null) {
                System.setProperty(setting[0], setting[1]);
            }
        }
        int status = 1;
        try {
            status = ProxyCommand.commandLine(new ProxyCommand()).execute(args);
        } catch (Throwable unexpected) {
            unexpected.printStackTrace();
        } finally {
            System.exit(status); // ends the process even if a stuck non-daemon thread remains
        }
    }
}
