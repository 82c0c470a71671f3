package io.pgtrickle.proxy.cli;

import io.pgtrickle.proxy.ProxySettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

/**
 * Stands in for the Netty relay: binds a plain server socket to the listen address (so a taken port
 * fails with the real {@link java.net.BindException}) and records the settings it was given.
 */
final class FakeRelay implements ProxyLauncher {
    final List<ProxySettings> launched = new CopyOnWriteArrayList<>();
    volatile boolean closed;

    @Override
    public RunningProxy launch(ProxySettings settings) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.bind(settings.listen());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        launched.add(settings);
        return new RunningProxy() {
            @Override
            public InetSocketAddress localAddress() {
                return (InetSocketAddress) socket.getLocalSocketAddress();
            }

            @Override
            public void close() {
                closed = true;
                try {
                    socket.close();
                } catch (IOException e) {
                    // test fake
                }
            }
        };
    }
}
