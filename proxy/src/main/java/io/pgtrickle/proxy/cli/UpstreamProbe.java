package io.pgtrickle.proxy.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/** Checks before starting that the upstream server accepts TCP connections at all. */
final class UpstreamProbe {

    private UpstreamProbe() {
    }

    /** Opens and closes one TCP connection, or fails with what to check. */
    static void check(String host, int port, Duration timeout) throws ConfigException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        String where = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        if (address.isUnresolved()) {
            throw new ConfigException("cannot reach the upstream server: unknown host '" + host
                    + "'; check --upstream / --upstream-host");
        }
        try (Socket socket = new Socket()) {
            socket.connect(address, (int) timeout.toMillis());
        } catch (SocketTimeoutException e) {
            throw new ConfigException("cannot reach the upstream server at " + where + ": no answer within "
                    + timeout.toSeconds() + "s; check --upstream and firewalls");
        } catch (IOException e) {
            throw new ConfigException("cannot reach the upstream server at " + where + " (" + e.getMessage()
                    + "); check --upstream and that PostgreSQL is running there");
        }
    }
}
