package io.pgtrickle.proxy.cli;

import java.net.InetSocketAddress;

/** A started relay, as far as the command line needs it: where it listens and how to stop it. */
public interface RunningProxy extends AutoCloseable {

    /** The bound address (the real port when port 0 was asked for). */
    InetSocketAddress localAddress();

    /** Client sessions open now. */
    default int sessions() {
        return 0;
    }

    /** Whether the relay is stopping (it no longer accepts clients). */
    default boolean draining() {
        return false;
    }

    /** Stops accepting clients, lets sessions finish their transactions, and closes the relay; must not throw. */
    @Override
    void close();
}
