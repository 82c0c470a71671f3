package io.pgtrickle.proxy.cli;

import io.pgtrickle.proxy.UpstreamTarget;
import io.pgtrickle.proxy.UpstreamTarget.SslMode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A libpq connection URI for the upstream server:
 * {@code postgresql://[user[:password]@][host][:port][/database][?sslmode=...&sslrootcert=...]}
 * ({@code postgres://} too). Only where the server is and how to reach it matter to the proxy; user
 * and database are kept for the startup banner, a password is ignored (clients authenticate
 * themselves). No host means {@code localhost} over TCP (the proxy does not use Unix sockets).
 *
 * @param host host name or address (IPv6 without brackets)
 * @param port TCP port, 5432 unless given
 * @param user user name, or null
 * @param database database name, or null
 * @param sslMode libpq's sslmode, {@code prefer} unless given
 * @param sslRootCert the {@code sslrootcert} parameter, or null
 */
public record UpstreamUrl(String host, int port, String user, String database, SslMode sslMode, Path sslRootCert) {

    public static final int DEFAULT_PORT = 5432;
    public static final String DEFAULT_HOST = "localhost";
    static final String FORM = "postgresql://[user@]host[:port][/database][?sslmode=...]";

    /** The target the relay connects to. */
    public UpstreamTarget target() {
        return new UpstreamTarget(host, port, sslMode);
    }

    /**
     * Parses a URI.
     *
     * @param label where the value came from, for the error message (e.g. {@code --upstream})
     * @throws ConfigException when it is not a URI of the form above
     */
    public static UpstreamUrl parse(String uri, String label) throws ConfigException {
        String rest;
        if (uri.startsWith("postgresql://")) {
            rest = uri.substring("postgresql://".length());
        } else if (uri.startsWith("postgres://")) {
            rest = uri.substring("postgres://".length());
        } else {
            throw bad(uri, label, "it must start with postgresql:// or postgres://");
        }
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String database = null;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            database = emptyToNull(decode(rest.substring(slash + 1)));
            rest = rest.substring(0, slash);
        }
        String user = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            int colon = userInfo.indexOf(':');
            user = emptyToNull(decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo));
            rest = rest.substring(at + 1);
        }
        if (rest.contains(",")) {
            throw bad(uri, label, "only one host is supported");
        }
        String host;
        String portText;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw bad(uri, label, "missing ']' after the IPv6 address");
            }
            host = rest.substring(1, close);
            String after = rest.substring(close + 1);
            if (!after.isEmpty() && !after.startsWith(":")) {
                throw bad(uri, label, "unexpected '" + after + "' after the IPv6 address");
            }
            portText = after.isEmpty() ? null : after.substring(1);
        } else {
            int colon = rest.indexOf(':');
            host = colon >= 0 ? rest.substring(0, colon) : rest;
            portText = colon >= 0 ? rest.substring(colon + 1) : null;
        }
        host = host.isEmpty() ? DEFAULT_HOST : decode(host);
        int port = portText == null || portText.isEmpty() ? DEFAULT_PORT : port(portText, uri, label);
        SslMode sslMode = SslMode.PREFER;
        Path rootCert = null;
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String key = decode(eq >= 0 ? pair.substring(0, eq) : pair);
                String value = eq >= 0 ? decode(pair.substring(eq + 1)) : "";
                switch (key) {
                    case "sslmode" -> sslMode = sslMode(value, label + " (sslmode)");
                    case "sslrootcert" -> rootCert = Path.of(value);
                    case "host" -> host = value;
                    case "port" -> port = port(value, uri, label);
                    default -> { } // libpq options such as application_name concern the clients, not the proxy
                }
            }
        }
        return new UpstreamUrl(host, port, user, database, sslMode, rootCert);
    }

    /**
     * Parses a libpq sslmode ({@code disable}, {@code allow}, {@code prefer}, {@code require},
     * {@code verify-ca}, {@code verify-full}).
     */
    public static SslMode sslMode(String text, String label) throws ConfigException {
        try {
            return SslMode.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid " + label + " '" + text
                    + "': use disable, allow, prefer, require, verify-ca or verify-full");
        }
    }

    /** The URI without its password, for messages. */
    static String redact(String uri) {
        return uri.replaceFirst("^(postgres(?:ql)?://[^:/@?]*):[^@/?]*@", "$1:***@");
    }

    private static int port(String text, String uri, String label) throws ConfigException {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(uri, label, "port '" + text + "' is not a number from 1 to 65535");
    }

    private static ConfigException bad(String uri, String label, String why) {
        return new ConfigException("invalid " + label + " URL '" + redact(uri) + "': " + why + "; expected " + FORM);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String emptyToNull(String text) {
        return text.isEmpty() ? null : text;
    }
}
