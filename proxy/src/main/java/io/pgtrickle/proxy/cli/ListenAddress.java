package io.pgtrickle.proxy.cli;

import java.net.InetSocketAddress;

/** Parses the {@code --listen} value: {@code host:port}, {@code [ipv6]:port} or just a port. */
final class ListenAddress {
    static final String DEFAULT_HOST = "127.0.0.1";

    private ListenAddress() {
    }

    /**
     * Parses and resolves the address; port 0 means any free port.
     *
     * @param label where the value came from, for the error message
     */
    static InetSocketAddress parse(String text, String label) throws ConfigException {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw bad(text, label);
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else if (text.matches("\\d+")) {
            host = DEFAULT_HOST;
            port = text;
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0 || text.indexOf(':') != colon) {
                throw bad(text, label);
            }
            host = colon == 0 ? DEFAULT_HOST : text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw bad(text, label);
        }
        if (number < 0 || number > 65535) {
            throw new ConfigException("invalid " + label + " '" + text + "': the port must be from 0 to 65535");
        }
        InetSocketAddress address = new InetSocketAddress(host, number);
        if (address.isUnresolved()) {
            throw new ConfigException("invalid " + label + " '" + text + "': unknown host '" + host + "'");
        }
        return address;
    }

    private static ConfigException bad(String text, String label) {
        return new ConfigException("invalid " + label + " '" + text
                + "': use HOST:PORT, e.g. 127.0.0.1:6432 ([::1]:6432 for IPv6, port 0 for any free port)");
    }
}
