package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import nioreactor.testing.Eventually;
import nioreactor.tls.TlsFiles;
import nioreactor.testing.TestCerts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP on a real {@code serve} process with a TLS port: new handshakes get the certificate now on disk, the
 * connection opened before keeps working, and a file that cannot be used keeps the previous certificate (a WARN).
 */
@Timeout(120)
class SighupReloadTest {
    private static final Pattern TLS_PORT = Pattern.compile("upper-echo-tls listening on tls \\S*:(\\d+)");

    @Test
    void hupLoadsTheNewCertificateForNewHandshakesKeepsOpenConnectionsAndSurvivesABadFile(@TempDir Path dir)
            throws Exception {
        Path[] first = TestCerts.selfSigned(Files.createDirectories(dir.resolve("a")), "ec");
        Path[] second = TestCerts.selfSigned(Files.createDirectories(dir.resolve("b")), "rsa");
        Path cert = dir.resolve("serve.pem");
        Path key = dir.resolve("serve.key");
        install(first, cert, key);
        try (ChildServe child = ChildServe.start(dir, List.of(), List.of("-Xmx128m", "-XX:+UseSerialGC"),
                "--tcp", "-1", "--framed", "-1", "--udp", "-1", "--tls-tcp", "0",
                "--tls-cert", cert.toString(), "--tls-key", key.toString())) {
            Eventually.until(() -> TLS_PORT.matcher(child.log()).find() || !child.isAlive(),
                    () -> "the TLS listening line; log:\n" + child.log());
            Matcher m = TLS_PORT.matcher(child.log());
            assertThat(m.find()).as("listening; log:\n%s", child.log()).isTrue();
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));

            try (SSLSocket before = connect(at)) {
                assertThat(peerKey(before)).isEqualTo(publicKey(first[0]));
                assertThat(echo(before, "before")).isEqualTo("BEFORE");

                install(second, cert, key);
                child.signal("HUP");
                Eventually.until(() -> child.log().contains("TLS certificate and key reloaded"),
                        () -> "the reload line; log:\n" + child.log());
                try (SSLSocket after = connect(at)) {
                    assertThat(peerKey(after)).as("a new handshake gets the new certificate")
                            .isEqualTo(publicKey(second[0]));
                    assertThat(echo(after, "after")).isEqualTo("AFTER");
                }
                assertThat(echo(before, "still open")).as("the connection from before the reload")
                        .isEqualTo("STILL OPEN");

                Files.writeString(cert, "not a certificate\n");
                child.signal("HUP");
                Eventually.until(() -> child.log().contains("TLS reload failed"),
                        () -> "the WARN for the bad file; log:\n" + child.log());
                try (SSLSocket later = connect(at)) {
                    assertThat(peerKey(later)).as("a bad file keeps the certificate in use")
                            .isEqualTo(publicKey(second[0]));
                    assertThat(echo(later, "later")).isEqualTo("LATER");
                }
            }
            assertThat(child.isAlive()).isTrue();
        }
    }

    private static void install(Path[] certAndKey, Path cert, Path key) throws Exception {
        Files.copy(certAndKey[1], key, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(certAndKey[0], cert, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A client that trusts whatever it is shown (client --insecure): this test looks at which certificate. */
    private static SSLSocket connect(InetSocketAddress at) throws Exception {
        SSLContext context = TlsFiles.client(null, true, null, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(at.getAddress(), at.getPort());
        socket.setSoTimeout(30_000);
        socket.startHandshake();
        return socket;
    }

    private static PublicKey peerKey(SSLSocket socket) throws Exception {
        return socket.getSession().getPeerCertificates()[0].getPublicKey();
    }

    private static PublicKey publicKey(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey();
        }
    }

    private static String echo(SSLSocket socket, String text) throws Exception {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return new String(socket.getInputStream().readNBytes(text.length()), StandardCharsets.US_ASCII);
    }
}
