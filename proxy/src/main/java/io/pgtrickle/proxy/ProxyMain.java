package io.pgtrickle.proxy;

import io.pgtrickle.proxy.cli.ProxyCommand;

/** Entry point of {@code java -jar pgtrickle-proxy.jar}; see {@link ProxyCommand} for the options. */
public final class ProxyMain {
    private ProxyMain() {
    }

    public static void main(String[] args) {
        System.exit(ProxyCommand.commandLine(new ProxyCommand()).execute(args));
    }
}
