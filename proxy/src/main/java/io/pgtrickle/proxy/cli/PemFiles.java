package io.pgtrickle.proxy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and private keys with the JDK alone, with messages that say what to fix.
 * Keys must be unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}, what {@code openssl genpkey} writes);
 * other forms are refused with the openssl command that converts them.
 */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA"};

    private PemFiles() {
    }

    /** The certificates in a PEM file (a chain, the server's own first). */
    static List<X509Certificate> certificates(Path file, String label) throws ConfigException {
        checkReadable(file, label);
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = new ArrayList<>();
            for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new ConfigException(label + " " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            }
            return certificates;
        } catch (CertificateException e) {
            throw new ConfigException(label + " " + file + " is not a valid PEM certificate: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + label + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** The private key in a PEM file. */
    static PrivateKey privateKey(Path file, String label) throws ConfigException {
        checkReadable(file, label);
        String text;
        try {
            text = Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + label + " " + file + ": " + e.getMessage(), e);
        }
        Matcher block = BLOCK.matcher(text);
        while (block.find()) {
            String type = block.group(1);
            switch (type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(Base64.getMimeDecoder().decode(block.group(2)), file, label);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new ConfigException(label + " " + file
                        + " is encrypted; write an unencrypted copy: openssl pkcs8 -in " + file + " -out key.pem");
                case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY" -> throw new ConfigException(label + " "
                        + file + " holds a " + type + " (traditional format); convert it to PKCS#8: "
                        + "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
                default -> { } // e.g. EC PARAMETERS before the key
            }
        }
        throw new ConfigException(label + " " + file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    /** Fails unless {@code key} is the private half of the certificate's public key. */
    static void checkPair(PrivateKey key, X509Certificate certificate, String what) throws ConfigException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            case "DSA" -> "SHA256withDSA";
            default -> null; // e.g. RSASSA-PSS needs parameters; the TLS handshake will tell
        };
        if (algorithm == null) {
            return;
        }
        PublicKey publicKey = certificate.getPublicKey();
        boolean matches;
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new ConfigException(what + ": the private key does not belong to the certificate");
        }
    }

    private static PrivateKey pkcs8(byte[] der, Path file, String label) throws ConfigException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new ConfigException(label + " " + file + " holds a private key this JVM cannot read "
                + "(supported: RSA, EC, Ed25519, Ed448, DSA)");
    }

    private static void checkReadable(Path file, String label) throws ConfigException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException("cannot read " + label + " " + file + ": no such readable file");
        }
    }
}
