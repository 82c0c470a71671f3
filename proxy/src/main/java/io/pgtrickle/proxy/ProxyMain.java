package io.pgtrickle.proxy;

import io.pgtrickle.proxy.cli.ProxyCommand;

/** Entry point of {@code java -jar pgtrickle-proxy.jar}; see {@link ProxyCommand} for the options. */
public final class ProxyMain {
    private static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    private ProxyMain() {
    }

    public static void main(String[] args) {
        // Netty's buffer leak detector records a stack trace for sampled buffers: a debugging aid that
        // costs every relayed message. Off unless asked for (-Dio.netty.leakDetection.level=simple).
        if (System.getProperty(LEAK_DETECTION) == null) {
            System.setProperty(LEAK_DETECTION, "disabled");
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
