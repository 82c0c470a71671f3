package io.pgtrickle.proxy;

import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * What the Netty proxy needs to run, already validated (the command line builds it).
 *
 * @param listen where clients connect (port 0: any free port)
 * @param upstream the PostgreSQL server clients are relayed to
 * @param clientTls TLS offered to clients (answer 'S' to SSLRequest), or null to answer 'N'
 * @param upstreamTls TLS towards the server when {@code upstream.sslMode()} asks for it (a client
 *     context trusting what the sslmode requires), or null for DISABLE
 * @param limits how many clients, and how long a client may take to log in
 */
public record ProxySettings(InetSocketAddress listen, UpstreamTarget upstream, SslContext clientTls,
        SslContext upstreamTls, Limits limits) {

    /**
     * Protection against clients that hog the proxy, and how long stopping waits for them.
     *
     * @param maxConnections clients served at once (0: no limit but the server's own); the next gets
     *     FATAL 53300 "sorry, too many clients already", as from PostgreSQL
     * @param loginTimeout how long a client may take from connecting to its first ReadyForQuery
     *     (startup, TLS, authentication), as PostgreSQL's authentication_timeout
     * @param idleTimeout how long a session may wait for its client outside a transaction before it
     *     is ended with FATAL 57P05, as PostgreSQL's idle_session_timeout (zero: never)
     * @param idleInTransactionTimeout the same inside a transaction block (FATAL 25P03, the
     *     transaction rolls back), as idle_in_transaction_session_timeout (zero: never)
     * @param drainTimeout how long stopping lets sessions finish their transactions before it ends
     *     the rest with FATAL 57P01
     */
    public record Limits(int maxConnections, Duration loginTimeout, Duration idleTimeout,
            Duration idleInTransactionTimeout, Duration drainTimeout) {
        public static final Limits DEFAULT = new Limits(0, Duration.ofSeconds(60));

        /** No idle timeouts; 30 seconds to drain. */
        public Limits(int maxConnections, Duration loginTimeout) {
            this(maxConnections, loginTimeout, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(30));
        }

        /** Whether either idle timeout is on. */
        public boolean idleTimeouts() {
            return !idleTimeout.isZero() || !idleInTransactionTimeout.isZero();
        }
    }

    /** Settings with the default limits. */
    public ProxySettings(InetSocketAddress listen, UpstreamTarget upstream, SslContext clientTls, SslContext upstreamTls) {
        this(listen, upstream, clientTls, upstreamTls, Limits.DEFAULT);
    }
}
