package io.pgtrickle.proxy.cli;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.pgtrickle.proxy.UpstreamTarget.SslMode;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Builds the two Netty TLS contexts of {@link io.pgtrickle.proxy.ProxySettings}.
 *
 * <p>Towards the upstream server, the trust follows libpq's sslmode:
 * <ul>
 *   <li>{@code disable}: no context;</li>
 *   <li>{@code allow}, {@code prefer}, {@code require}: encryption without verification (any
 *       certificate is accepted), as libpq does; except that {@code require} with a root
 *       certificate given verifies the chain like {@code verify-ca}, as libpq does when its root
 *       certificate file exists;</li>
 *   <li>{@code verify-ca}: the chain must lead to {@code --upstream-sslrootcert}, or to the JDK's
 *       default trust store when none is given; the host name is not checked;</li>
 *   <li>{@code verify-full}: as {@code verify-ca}, and the certificate must name the host
 *       (endpoint identification algorithm {@code HTTPS}: subjectAltName DNS or IP entries).</li>
 * </ul>
 * The endpoint identification algorithm is set explicitly in every mode, because Netty 4.2 turns
 * host name checking on by default for client contexts. Host name checking needs the peer's name:
 * the relay must create its handler with {@code newHandler(alloc, host, port)}.
 */
final class TlsContexts {

    private TlsContexts() {
    }

    /** The server-side context offered to clients, from PEM files (both are checked to match). */
    static SslContext forClients(Path certificateFile, Path keyFile) throws ConfigException {
        List<X509Certificate> chain = PemFiles.certificates(certificateFile, "--tls-cert");
        PrivateKey key = PemFiles.privateKey(keyFile, "--tls-key");
        PemFiles.checkPair(key, chain.get(0), "--tls-key " + keyFile + " and --tls-cert " + certificateFile);
        try {
            // ALPN "postgresql": libpq 17+ requires it for direct TLS (sslnegotiation=direct)
            return SslContextBuilder.forServer(key, chain)
                    .applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                            io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                            io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            "postgresql"))
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("cannot use --tls-cert " + certificateFile + " with --tls-key " + keyFile
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * The client-side context towards the upstream server, or null for {@code disable}.
     *
     * @param rootCertificates PEM file with the trusted root certificates, or null
     */
    static SslContext forUpstream(SslMode mode, Path rootCertificates) throws ConfigException {
        if (mode == SslMode.DISABLE) {
            return null;
        }
        boolean verify = mode == SslMode.VERIFY_CA || mode == SslMode.VERIFY_FULL
                || (mode == SslMode.REQUIRE && rootCertificates != null);
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (!verify) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else if (rootCertificates != null) {
            builder.trustManager(PemFiles.certificates(rootCertificates, "--upstream-sslrootcert"));
        } // else: the JDK's default trust store
        builder.endpointIdentificationAlgorithm(mode == SslMode.VERIFY_FULL ? "HTTPS" : null);
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("cannot set up TLS towards the upstream server: " + e.getMessage(), e);
        }
    }
}
