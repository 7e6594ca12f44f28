package nioreactor.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import nioreactor.tls.TlsFileException;
import nioreactor.tls.TlsFiles;

/**
 * Certificates made at test time with openssl into a test's temporary directory (no private key is ever committed):
 * a CA, a server certificate for localhost/127.0.0.1 signed by it (RSA), a client certificate signed by it (EC), and
 * the two self-signed forms the issue names ({@code openssl req -x509 -newkey rsa:2048 -nodes ...} and the P-256 one).
 * Fails, never skips, when openssl is missing.
 */
public final class TestCerts {
    public final Path dir;
    public final Path caCert;
    public final Path serverCert;
    public final Path serverKey;
    public final Path clientCert;
    public final Path clientKey;

    private TestCerts(Path dir) {
        this.dir = dir;
        this.caCert = dir.resolve("ca.pem");
        this.serverCert = dir.resolve("server.pem");
        this.serverKey = dir.resolve("server.key");
        this.clientCert = dir.resolve("client.pem");
        this.clientKey = dir.resolve("client.key");
    }

    /** A CA, a server certificate and a client certificate under {@code dir}. */
    public static TestCerts create(Path dir) throws IOException, InterruptedException {
        TestCerts c = new TestCerts(dir);
        Path caKey = dir.resolve("ca.key");
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", caKey.toString(), "-out", c.caCert.toString(), "-days", "2", "-subj", "/CN=nioreactor test CA");
        Path serverExt = Files.writeString(dir.resolve("server.ext"),
                "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        signed(dir, c.serverCert, c.serverKey, "/CN=localhost", serverExt, c.caCert, caKey, "rsa:2048");
        Path clientExt = Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        signed(dir, c.clientCert, c.clientKey, "/CN=test client", clientExt, c.caCert, caKey, "ec");
        return c;
    }

    /**
     * The self-signed certificate, as a user makes it: {@code kind} "rsa" runs {@code openssl req -x509 -newkey
     * rsa:2048 -nodes ...}, "ec" the P-256 form. Returns {cert, key}.
     */
    public static Path[] selfSigned(Path dir, String kind) throws IOException, InterruptedException {
        Path cert = dir.resolve("self-" + kind + ".pem");
        Path key = dir.resolve("self-" + kind + ".key");
        List<String> args = new ArrayList<>(List.of("req", "-x509", "-newkey"));
        args.addAll(kind.equals("ec") ? List.of("ec", "-pkeyopt", "ec_paramgen_curve:P-256") : List.of("rsa:2048"));
        args.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"));
        openssl(dir, args.toArray(String[]::new));
        return new Path[] {cert, key};
    }

    /** The server's SSLContext, loaded the way serve loads it (clients checked against the CA for mutual TLS). */
    public SSLContext serverContext() throws TlsFileException {
        return TlsFiles.fromPem(serverCert, serverKey, caCert).context();
    }

    /** A client context that trusts the CA (and presents the client certificate when {@code withClientCert}). */
    public SSLContext clientContext(boolean withClientCert) throws TlsFileException {
        return TlsFiles.client(caCert, false, withClientCert ? clientCert : null, withClientCert ? clientKey : null);
    }

    /** A blocking TLS socket to the server, handshake done, with the test timeouts and the host name checked. */
    public SSLSocket connect(java.net.InetSocketAddress server, boolean withClientCert, String... protocols)
            throws IOException, TlsFileException {
        SSLSocketFactory factory = clientContext(withClientCert).getSocketFactory();
        java.net.Socket plain = Loopback.connect(server);
        SSLSocket socket = (SSLSocket) factory.createSocket(plain, "localhost", server.getPort(), true);
        javax.net.ssl.SSLParameters params = socket.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (protocols.length > 0) {
            params.setProtocols(protocols);
        }
        socket.setSSLParameters(params);
        socket.startHandshake();
        return socket;
    }

    private static void signed(Path dir, Path cert, Path key, String subject, Path ext, Path caCert, Path caKey,
                               String keyType) throws IOException, InterruptedException {
        Path csr = dir.resolve(cert.getFileName() + ".csr");
        List<String> req = new ArrayList<>(List.of("req", "-new", "-newkey"));
        req.addAll(keyType.equals("ec") ? List.of("ec", "-pkeyopt", "ec_paramgen_curve:P-256") : List.of(keyType));
        req.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", csr.toString(), "-subj", subject));
        openssl(dir, req.toArray(String[]::new));
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-out", cert.toString(), "-extfile", ext.toString());
    }

    /** Runs openssl with {@code args} in {@code dir}; fails with its output unless it exits 0. */
    public static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(Arrays.asList(args));
        Path log = Files.createTempFile(dir, "openssl", ".log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("openssl did not finish: " + command);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("openssl failed (" + p.exitValue() + "): " + command + "\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
    }
}
