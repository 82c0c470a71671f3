package io.pgtrickle.proxy.cli;

import java.net.InetSocketAddress;

/** A started relay, as far as the command line needs it: where it listens and how to stop it. */
public interface RunningProxy extends AutoCloseable {

    /** The bound address (the real port when port 0 was asked for). */
    InetSocketAddress localAddress();

    /** Stops accepting clients and closes the relay; must not throw. */
    @Override
    void close();
}
