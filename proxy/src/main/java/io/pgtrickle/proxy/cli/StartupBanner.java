package io.pgtrickle.proxy.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.regex.Pattern;

/** The one line printed on stdout once the proxy listens: a psql command a user can paste. */
final class StartupBanner {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_.:@%+=/-]+");

    private StartupBanner() {
    }

    /**
     * {@code psql -h HOST -p PORT [-U USER] [DATABASE]}. A wildcard listen address becomes the loopback
     * address; user and database are left out when null (psql then uses its defaults).
     */
    static String psqlLine(InetSocketAddress listening, String user, String database) {
        InetAddress address = listening.getAddress();
        String host;
        if (address == null) {
            host = listening.getHostString();
        } else if (address.isAnyLocalAddress()) {
            host = address instanceof java.net.Inet6Address ? "::1" : "127.0.0.1";
        } else {
            host = address.getHostAddress();
        }
        StringBuilder line = new StringBuilder("psql -h ").append(quote(host)).append(" -p ").append(listening.getPort());
        if (user != null) {
            line.append(" -U ").append(quote(user));
        }
        if (database != null) {
            line.append(' ').append(quote(database));
        }
        return line.toString();
    }

    /** Quotes for a POSIX shell when needed. */
    static String quote(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
