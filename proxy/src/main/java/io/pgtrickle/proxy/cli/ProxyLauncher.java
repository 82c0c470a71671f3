package io.pgtrickle.proxy.cli;

import io.pgtrickle.proxy.ProxyServer;
import io.pgtrickle.proxy.ProxySettings;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Starts the relay for validated settings. The command line uses {@link #netty()}; tests pass their
 * own launcher so the whole start path runs without the Netty server.
 */
@FunctionalInterface
public interface ProxyLauncher {

    /**
     * Binds and starts serving.
     *
     * @throws java.net.BindException when the listen address is taken
     */
    RunningProxy launch(ProxySettings settings) throws IOException, InterruptedException;

    /** The real relay: {@link ProxyServer#start(ProxySettings)}. */
    static ProxyLauncher netty() {
        return settings -> {
            ProxyServer server = ProxyServer.start(settings);
            return new RunningProxy() {
                @Override
                public InetSocketAddress localAddress() {
                    return server.localAddress();
                }

                @Override
                public int sessions() {
                    return server.sessions();
                }

                @Override
                public boolean draining() {
                    return server.draining();
                }

                @Override
                public void close() {
                    server.close();
                }
            };
        };
    }
}
