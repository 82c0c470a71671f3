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
     * Protection against clients that hog the proxy.
     *
     * @param maxConnections clients served at once (0: no limit but the server's own); the next gets
     *     FATAL 53300 "sorry, too many clients already", as from PostgreSQL
     * @param loginTimeout how long a client may take from connecting to its first ReadyForQuery
     *     (startup, TLS, authentication), as PostgreSQL's authentication_timeout
     */
    public record Limits(int maxConnections, Duration loginTimeout) {
        public static final Limits DEFAULT = new Limits(0, Duration.ofSeconds(60));
    }

    /** Settings with the default limits. */
    public ProxySettings(InetSocketAddress listen, UpstreamTarget upstream, SslContext clientTls, SslContext upstreamTls) {
        this(listen, upstream, clientTls, upstreamTls, Limits.DEFAULT);
    }
}
