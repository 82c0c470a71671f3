package io.pgtrickle.proxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;

/** Self-signed PEM certificate and PKCS#8 key for tests, made with the JDK's keytool. */
record TestCertificates(Path certificate, Path key) {

    /** Generates a key pair ({@code RSA} or {@code EC}) for CN=localhost into {@code directory}. */
    static TestCertificates generate(Path directory, String name, String keyAlgorithm)
            throws IOException, InterruptedException, GeneralSecurityException {
        Path store = directory.resolve(name + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "proxy", "-keyalg", keyAlgorithm,
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "secret",
                "-keypass", "secret").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, "secret".toCharArray());
        }
        Path certificate = directory.resolve(name + ".crt");
        Path key = directory.resolve(name + ".key");
        Files.writeString(certificate, pem("CERTIFICATE", keyStore.getCertificate("proxy").getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", keyStore.getKey("proxy", "secret".toCharArray()).getEncoded()));
        return new TestCertificates(certificate, key);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
