package nioreactor.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nioreactor.reactor.TlsContext;
import nioreactor.reactor.TlsContext.ClientAuth;
import nioreactor.testing.Eventually;
import nioreactor.testing.TestCerts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS peers nobody here wrote: {@code openssl s_client} and Python's {@code ssl} module, against {@code serve}'s TLS
 * ports. Both are in the base image; a missing one fails the test (it never skips).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsPeersTest {
    @TempDir
    static Path dir;
    static TestCerts certs;
    static Server server;
    static Server mutual;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.create(dir);
        server = Server.start(ServerConfig.builder().ephemeralPorts().tlsTcpPort(0).tlsFramedPort(0).tlsKvPort(0)
                .tls(TlsContext.server(certs.serverContext()).build()).build());
        mutual = Server.start(ServerConfig.builder().ephemeralPorts().framedPort(-1).udpPort(-1).tlsTcpPort(0)
                .tls(TlsContext.server(certs.serverContext()).clientAuth(ClientAuth.NEED).build()).build());
    }

    @AfterAll
    static void stop() {
        server.close();
        mutual.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void opensslGetsItsLineBackUpperCased(String protocol) throws Exception {
        try (Peer s = sClient(server.tlsTcpAddress().getPort(), protocol)) {
            s.write("hello from openssl\n");
            s.awaitOutput("HELLO FROM OPENSSL");
            s.closeInput();
            assertThat(s.awaitExit()).as(s.output()).isZero();
            assertThat(s.output()).contains("Verification: OK")
                    .contains(protocol.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2");
        }
    }

    @Test
    void opensslWithAClientCertificateIsServedWhenOneIsNeeded() throws Exception {
        try (Peer s = sClient(mutual.tlsTcpAddress().getPort(), "-tls1_3",
                "-cert", certs.clientCert.toString(), "-key", certs.clientKey.toString())) {
            s.write("mutual\n");
            s.awaitOutput("MUTUAL");
            s.closeInput();
            assertThat(s.awaitExit()).as(s.output()).isZero();
        }
    }

    @Test
    void opensslWithoutAClientCertificateIsRefusedWhenOneIsNeeded() throws Exception {
        long refused = mutual.stats().service("tls_handshake_failures_refused_total");
        try (Peer s = sClient(mutual.tlsTcpAddress().getPort(), "-tls1_3")) {
            s.write("let me in\n");
            assertThat(s.awaitExit()).as(s.output()).isNotZero();
            // The JDK answers a missing certificate with bad_certificate (42), as openssl reports it.
            assertThat(s.output()).contains("alert bad certificate").doesNotContain("LET ME IN");
        }
        Eventually.until(() -> mutual.stats().service("tls_handshake_failures_refused_total") == refused + 1,
                () -> "one refused handshake counted");
    }

    @Test
    void aTls12RenegotiationIsRefusedByClosingTheConnection() throws Exception {
        long before = server.stats().service("tls_renegotiations_refused_total");
        try (Peer s = sClient(server.tlsTcpAddress().getPort(), "-tls1_2")) {
            s.write("before\n");
            s.awaitOutput("BEFORE");
            s.write("R\n"); // s_client's command for a renegotiation
            s.awaitOutput("RENEGOTIATING");
            s.awaitExit(); // the server closed the connection
            assertThat(s.output()).doesNotContain("AFTER");
        }
        assertThat(server.stats().service("tls_renegotiations_refused_total")).isEqualTo(before + 1);
    }

    @Test
    void theTutorialsClientWrappedInPythonsSslIsAnswered() throws Exception {
        Path script = resource("upper_client_tls.py");
        Peer p = Peer.start(dir, List.of("python3", script.toString(),
                Integer.toString(server.tlsTcpAddress().getPort()), certs.caCert.toString()));
        try (p) {
            p.write("hello world\n\n   héllo 世界 abc  \n");
            p.closeInput();
            assertThat(p.awaitExit()).as(p.output()).isEqualTo(1); // the seed's loop ends only by EOFError
            assertThat(p.output()).contains("收到服务端发来的消息: HELLO WORLD\n")
                    .contains("收到服务端发来的消息: HéLLO 世界 ABC\n").contains("EOFError");
        }
    }

    @Test
    void pythonsTlsChecksVerificationHostNamesAndCloseNotify() throws Exception {
        Path script = resource("tls_checks.py");
        try (Peer p = Peer.start(dir, List.of("python3", script.toString(),
                Integer.toString(server.tlsTcpAddress().getPort()),
                Integer.toString(server.tlsFramedAddress().getPort()), certs.caCert.toString()))) {
            p.closeInput();
            assertThat(p.awaitExit()).as(p.output()).isZero();
            assertThat(p.output()).as(p.output()).doesNotContain("FAIL")
                    .contains("ok echo-then-unwrap", "ok untrusted-refused", "ok wrong-name-refused",
                            "ok server-close-notify", "ok tls12");
        }
    }

    @Test
    void theKeyValueServiceRunsOverTlsUnchanged() throws Exception {
        // Any stream handler runs over TLS as it is: here the Redis-protocol service, with openssl as its client.
        try (Peer s = sClient(server.tlsKvAddress().getPort(), "-tls1_3")) {
            s.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
            s.awaitOutput("+OK");
            s.awaitOutput("$5\r\nvalue");
            s.closeInput();
            assertThat(s.awaitExit()).as(s.output()).isZero();
        }
    }

    private static Path resource(String name) throws IOException {
        Path to = dir.resolve(name);
        try (InputStream in = TlsPeersTest.class.getResourceAsStream("/tls/" + name)) {
            assertThat(in).as("test resource tls/" + name).isNotNull();
            Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return to;
    }

    private static Peer sClient(int port, String protocol, String... more) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                protocol, "-CAfile", certs.caCert.toString(), "-verify_return_error", "-verify_hostname", "localhost",
                "-servername", "localhost", "-brief"));
        command.addAll(List.of(more));
        return Peer.start(dir, command);
    }

    /** A peer process: its stdin written as the test goes, its stdout and stderr gathered together. */
    static final class Peer implements AutoCloseable {
        private final Process process;
        private final StringBuffer output = new StringBuffer();
        private final OutputStream in;

        private Peer(Process process) {
            this.process = process;
            this.in = process.getOutputStream();
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[4096];
                try (InputStream out = process.getInputStream()) {
                    for (int n; (n = out.read(buf)) > 0; ) {
                        output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "peer-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Peer start(Path dir, List<String> command) throws IOException {
            ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
            b.environment().put("PYTHONIOENCODING", "utf-8");
            return new Peer(b.start());
        }

        void write(String s) throws IOException {
            in.write(s.getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        void closeInput() throws IOException {
            in.close();
        }

        void awaitOutput(String text) throws InterruptedException {
            Eventually.until(() -> output.toString().contains(text), () -> "'" + text + "' in:\n" + output);
        }

        int awaitExit() throws InterruptedException {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(process.info().command().orElse("peer") + " did not exit; output:\n" + output);
            }
            // The reader may still be appending the last bytes.
            Thread.sleep(100);
            return process.exitValue();
        }

        String output() {
            return output.toString();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
