package nioreactor.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Certificates and keys from files, into an {@link SSLContext}: what {@code serve --tls-cert/--tls-key} (PEM),
 * {@code --tls-keystore} (PKCS#12), {@code --tls-ca} and {@code client --cafile} read. Every failure is a
 * {@link TlsFileException} whose message is one line naming the file and what is wrong with it, never a stack trace.
 *
 * <p>PEM keys: unencrypted PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), RSA or EC, exactly what
 * {@code openssl req -x509 -newkey rsa:2048 -nodes} and {@code ... -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes}
 * write. The JDK reads PKCS#8 natively; the older "BEGIN RSA PRIVATE KEY" (PKCS#1) would need a DER parser of our own,
 * so it is refused with the openssl command that converts it.
 */
public final class TlsFiles {
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN ([A-Z ]*)PRIVATE KEY-----([A-Za-z0-9+/=\\s]*)-----END \\1PRIVATE KEY-----");
    private static final char[] IN_MEMORY_PASSWORD = "nioreactor".toCharArray();

    /** A server's identity as loaded: the context to serve with, and its leaf certificate (for the expiry warning). */
    public record ServerIdentity(SSLContext context, X509Certificate certificate) {

        /** A warning to log when the certificate is outside its validity period, or null. */
        public String validityWarning(Instant now) {
            if (now.isAfter(certificate.getNotAfter().toInstant())) {
                return "the TLS certificate " + subject() + " expired on " + certificate.getNotAfter().toInstant()
                        + "; clients that check it will refuse the handshake";
            }
            if (now.isBefore(certificate.getNotBefore().toInstant())) {
                return "the TLS certificate " + subject() + " is not valid before "
                        + certificate.getNotBefore().toInstant() + "; clients that check it will refuse the handshake";
            }
            return null;
        }

        private String subject() {
            return "'" + certificate.getSubjectX500Principal().getName() + "'";
        }
    }

    private TlsFiles() {
    }

    /**
     * A server context from a PEM certificate chain (leaf first) and its PEM private key; clients are checked against
     * the certificates in {@code caFile} when it is not null (for {@code --tls-client-auth}).
     */
    public static ServerIdentity fromPem(Path certFile, Path keyFile, Path caFile) throws TlsFileException {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        checkKeyMatches(key, chain.get(0), certFile, keyFile);
        KeyStore store = emptyStore();
        try {
            store.setKeyEntry("server", key, IN_MEMORY_PASSWORD, chain.toArray(Certificate[]::new));
        } catch (GeneralSecurityException e) {
            throw new TlsFileException(keyFile + ": the key cannot be used with " + certFile + ": " + e.getMessage());
        }
        return new ServerIdentity(context(keyManagers(store, IN_MEMORY_PASSWORD), trust(caFile)), chain.get(0));
    }

    /** A server context from a PKCS#12 keystore holding one key entry (its password also opens the key). */
    public static ServerIdentity fromKeystore(Path keystoreFile, char[] password, Path caFile) throws TlsFileException {
        KeyStore store;
        try {
            store = KeyStore.getInstance(keystoreFile.toFile(), password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new TlsFileException(keystoreFile + ": wrong keystore password (--tls-keystore-password)");
            }
            throw new TlsFileException(unreadable(keystoreFile, e));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new TlsFileException(keystoreFile + ": not a PKCS#12 keystore (" + e.getMessage() + ")");
        }
        X509Certificate leaf = null;
        try {
            for (Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements(); ) {
                String alias = aliases.nextElement();
                if (store.isKeyEntry(alias) && store.getCertificate(alias) instanceof X509Certificate c) {
                    leaf = c;
                    store.getKey(alias, password); // a key password that differs from the store's shows here
                    break;
                }
            }
        } catch (UnrecoverableKeyException e) {
            throw new TlsFileException(keystoreFile + ": the key's password is not the keystore's (--tls-keystore-password)");
        } catch (GeneralSecurityException e) {
            throw new TlsFileException(keystoreFile + ": " + e.getMessage());
        }
        if (leaf == null) {
            throw new TlsFileException(keystoreFile + ": no private key with a certificate in this keystore");
        }
        return new ServerIdentity(context(keyManagers(store, password), trust(caFile)), leaf);
    }

    /**
     * A client context: it trusts the certificates in {@code caFile}, or the JDK's trust store when null, or anything
     * at all when {@code insecure} (for testing against a self-signed certificate). It presents the PEM certificate
     * and key as its own when both are given (mutual TLS).
     */
    public static SSLContext client(Path caFile, boolean insecure, Path certFile, Path keyFile) throws TlsFileException {
        KeyManager[] keys = null;
        if (certFile != null && keyFile != null) {
            List<X509Certificate> chain = certificates(certFile);
            PrivateKey key = privateKey(keyFile);
            checkKeyMatches(key, chain.get(0), certFile, keyFile);
            KeyStore store = emptyStore();
            try {
                store.setKeyEntry("client", key, IN_MEMORY_PASSWORD, chain.toArray(Certificate[]::new));
            } catch (GeneralSecurityException e) {
                throw new TlsFileException(keyFile + ": " + e.getMessage());
            }
            keys = keyManagers(store, IN_MEMORY_PASSWORD);
        }
        TrustManager[] trust = insecure ? new TrustManager[] {new TrustEverything()} : trust(caFile);
        return context(keys, trust);
    }

    /** The certificates of a PEM (or DER) file, in file order. */
    public static List<X509Certificate> certificates(Path file) throws TlsFileException {
        Collection<? extends Certificate> read;
        try (InputStream in = Files.newInputStream(file)) {
            read = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new TlsFileException(unreadable(file, e));
        } catch (CertificateException e) {
            throw new TlsFileException(file + ": not a PEM certificate file (" + e.getMessage() + ")");
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : read) {
            chain.add((X509Certificate) c);
        }
        if (chain.isEmpty()) {
            throw new TlsFileException(file + ": no certificate in it (expected -----BEGIN CERTIFICATE-----)");
        }
        return chain;
    }

    /** An unencrypted PKCS#8 private key, RSA or EC, from a PEM file. */
    public static PrivateKey privateKey(Path file) throws TlsFileException {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new TlsFileException(unreadable(file, e));
        }
        Matcher m = PEM_KEY.matcher(pem);
        if (!m.find()) {
            throw new TlsFileException(file + ": no private key in it (expected -----BEGIN PRIVATE KEY-----)");
        }
        String kind = m.group(1).trim();
        if (kind.equals("ENCRYPTED")) {
            throw new TlsFileException(file + ": the key is encrypted; write it without a passphrase "
                    + "(openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem)");
        }
        if (!kind.isEmpty()) {
            throw new TlsFileException(file + ": a " + kind + " key in the old format; convert it to PKCS#8 with "
                    + "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new TlsFileException(file + ": the key's base64 is damaged");
        }
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException e) {
                // try the next algorithm
            } catch (GeneralSecurityException e) {
                throw new TlsFileException(file + ": " + e.getMessage());
            }
        }
        throw new TlsFileException(file + ": not an RSA or EC private key");
    }

    /**
     * Signs a few bytes with the key and verifies them with the certificate's public key: the one check that works the
     * same for RSA and EC, and catches a key file and a certificate file from two different runs of openssl.
     */
    private static void checkKeyMatches(PrivateKey key, X509Certificate cert, Path certFile, Path keyFile)
            throws TlsFileException {
        String pubAlgorithm = cert.getPublicKey().getAlgorithm();
        if (!pubAlgorithm.equals(key.getAlgorithm())) {
            throw new TlsFileException(keyFile + " does not match " + certFile + ": a " + key.getAlgorithm()
                    + " key for a " + pubAlgorithm + " certificate");
        }
        String algorithm = pubAlgorithm.equals("EC") ? "SHA256withECDSA" : "SHA256with" + pubAlgorithm;
        byte[] probe = "nioreactor key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            throw new TlsFileException(keyFile + " does not match " + certFile + ": " + e.getMessage());
        }
        throw new TlsFileException(keyFile + " does not match " + certFile
                + " (the key is not the one the certificate was issued for)");
    }

    private static TrustManager[] trust(Path caFile) throws TlsFileException {
        if (caFile == null) {
            return null; // the JDK's default trust store
        }
        KeyStore store = emptyStore();
        int i = 0;
        for (X509Certificate c : certificates(caFile)) {
            try {
                store.setCertificateEntry("ca-" + i++, c);
            } catch (GeneralSecurityException e) {
                throw new TlsFileException(caFile + ": " + e.getMessage());
            }
        }
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(store);
            return f.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new TlsFileException(caFile + ": " + e.getMessage());
        }
    }

    private static KeyManager[] keyManagers(KeyStore store, char[] password) throws TlsFileException {
        try {
            KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            f.init(store, password);
            return f.getKeyManagers();
        } catch (GeneralSecurityException e) {
            throw new TlsFileException("cannot use the key: " + e.getMessage());
        }
    }

    private static SSLContext context(KeyManager[] keys, TrustManager[] trust) throws TlsFileException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new TlsFileException("cannot set up TLS: " + e.getMessage());
        }
    }

    private static KeyStore emptyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("this JDK cannot make an empty PKCS#12 keystore", e);
        }
    }

    private static String unreadable(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return file + ": no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return file + ": permission denied";
        }
        return file + ": cannot read it (" + String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT) + ")";
    }

    /** {@code client --insecure}: no check at all, so a test can talk to a self-signed server. Never the default. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
