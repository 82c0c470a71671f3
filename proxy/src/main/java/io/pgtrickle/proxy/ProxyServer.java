package io.pgtrickle.proxy;

import java.net.InetSocketAddress;

/** The running proxy: a Netty server accepting PostgreSQL clients and relaying them upstream. */
public final class ProxyServer implements AutoCloseable {

    private ProxyServer() {
    }

    /**
     * Binds the listening socket and starts serving.
     *
     * @throws java.net.BindException when the address is taken
     */
    public static ProxyServer start(ProxySettings settings) throws InterruptedException, java.io.IOException {
        throw new UnsupportedOperationException("in progress");
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Stops accepting, closes client connections after their current transaction ends or a grace period. */
    @Override
    public void close() {
    }
}
