package io.pgtrickle.proxy;

import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;

/**
 * What the Netty proxy needs to run, already validated (the command line builds it).
 *
 * @param listen where clients connect (port 0: any free port)
 * @param upstream the PostgreSQL server clients are relayed to
 * @param clientTls TLS offered to clients (answer 'S' to SSLRequest), or null to answer 'N'
 * @param upstreamTls TLS towards the server when {@code upstream.sslMode()} asks for it (a client
 *     context trusting what the sslmode requires), or null for DISABLE
 */
public record ProxySettings(InetSocketAddress listen, UpstreamTarget upstream, SslContext clientTls,
        SslContext upstreamTls) {
}
