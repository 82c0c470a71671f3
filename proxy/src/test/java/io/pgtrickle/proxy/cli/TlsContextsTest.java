package io.pgtrickle.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.pgtrickle.proxy.UpstreamTarget.SslMode;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextsTest {
    @TempDir
    Path dir;

    @Test
    void serverContextFromRsaAndEcPemFiles() throws Exception {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            TestCertificates pair = TestCertificates.generate(dir, algorithm, algorithm);
            SslContext context = TlsContexts.forClients(pair.certificate(), pair.key());
            assertThat(context.isServer()).isTrue();
            SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT);
            assertThat(engine.getUseClientMode()).isFalse();
        }
    }

    @Test
    void traditionalAndEncryptedKeysAreRefusedWithTheConversionCommand() throws Exception {
        TestCertificates pair = TestCertificates.generate(dir, "server", "RSA");
        Path pkcs1 = Files.writeString(dir.resolve("rsa.key"), TestCertificates.pem("RSA PRIVATE KEY", new byte[] {1, 2}));
        Path encrypted = Files.writeString(dir.resolve("enc.key"),
                TestCertificates.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2}));
        assertThatThrownBy(() -> TlsContexts.forClients(pair.certificate(), pkcs1))
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        assertThatThrownBy(() -> TlsContexts.forClients(pair.certificate(), encrypted))
                .hasMessageContaining("encrypted");
    }

    @Test
    void noUpstreamContextForDisable() throws Exception {
        assertThat(TlsContexts.forUpstream(SslMode.DISABLE, null)).isNull();
    }

    @Test
    void requireAndPreferEncryptWithoutCheckingTheHostName() throws Exception {
        for (SslMode mode : new SslMode[] {SslMode.ALLOW, SslMode.PREFER, SslMode.REQUIRE, SslMode.VERIFY_CA}) {
            SslContext context = TlsContexts.forUpstream(mode, null);
            assertThat(context.isClient()).isTrue();
            assertThat(endpointIdentification(context)).as(mode.name()).isNull();
        }
    }

    @Test
    void verifyFullChecksTheHostName() throws Exception {
        TestCertificates pair = TestCertificates.generate(dir, "ca", "RSA");
        assertThat(endpointIdentification(TlsContexts.forUpstream(SslMode.VERIFY_FULL, pair.certificate())))
                .isEqualTo("HTTPS");
        assertThat(endpointIdentification(TlsContexts.forUpstream(SslMode.VERIFY_FULL, null))).isEqualTo("HTTPS");
    }

    @Test
    void badRootCertificate() throws Exception {
        Path garbage = Files.writeString(dir.resolve("ca.pem"), "nope");
        assertThatThrownBy(() -> TlsContexts.forUpstream(SslMode.VERIFY_CA, garbage))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--upstream-sslrootcert");
        assertThatThrownBy(() -> TlsContexts.forUpstream(SslMode.VERIFY_CA, dir.resolve("missing.pem")))
                .hasMessageContaining("cannot read --upstream-sslrootcert");
    }

    private static String endpointIdentification(SslContext context) {
        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT, "db.example.com", 5432);
        return engine.getSSLParameters().getEndpointIdentificationAlgorithm();
    }
}
