package io.pgtrickle.proxy.cli;

import java.nio.file.Path;

/**
 * {@code ProxyMain} with the fake relay, for {@link SignalShutdownTest}: the real environment, signals
 * and exit status, everything but the Netty server.
 */
public final class FakeRelayMain {
    private FakeRelayMain() {
    }

    public static void main(String[] args) {
        ProxyCommand command = new ProxyCommand(System.getenv(), new FakeRelay(), null,
                Path.of(System.getProperty("user.home")));
        System.exit(ProxyCommand.commandLine(command).execute(args));
    }
}
