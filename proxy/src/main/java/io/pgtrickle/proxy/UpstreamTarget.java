package io.pgtrickle.proxy;

/**
 * The PostgreSQL server the proxy relays clients to. Clients authenticate against it themselves (the
 * proxy relays their startup and authentication untouched), so only where it is and how to reach it
 * is configured here.
 *
 * @param host host name or address
 * @param port TCP port
 * @param sslMode TLS towards the server, as libpq's sslmode
 */
public record UpstreamTarget(String host, int port, SslMode sslMode) {

    /** libpq's sslmode values that matter for a connection we make. */
    public enum SslMode {
        DISABLE, ALLOW, PREFER, REQUIRE, VERIFY_CA, VERIFY_FULL;

        /** True when the proxy must ask the server for TLS before the startup message. */
        public boolean requestsTls() {
            return this != DISABLE && this != ALLOW;
        }

        /** True when a server that refuses TLS must make the connection fail. */
        public boolean requiresTls() {
            return this == REQUIRE || this == VERIFY_CA || this == VERIFY_FULL;
        }
    }

    @Override
    public String toString() {
        return host + ":" + port + " (sslmode=" + sslMode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ")";
    }
}
