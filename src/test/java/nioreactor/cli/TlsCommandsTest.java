package nioreactor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import nioreactor.client.CommandRun;
import nioreactor.reactor.TlsContext;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.TestCerts;
import nioreactor.tls.TlsFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve}'s TLS files as a user gets them wrong (one line, exit 2, no stack trace) and {@code client --tls}
 * against a self-signed server: refused with a message that names --cafile and --insecure, then served with either.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsCommandsTest {
    @TempDir
    static Path dir;
    static Path rsaCert;
    static Path rsaKey;
    static Path ecCert;
    static Path ecKey;
    static Server server;

    @BeforeAll
    static void start() throws Exception {
        Path[] rsa = TestCerts.selfSigned(dir, "rsa");
        Path[] ec = TestCerts.selfSigned(dir, "ec");
        rsaCert = rsa[0];
        rsaKey = rsa[1];
        ecCert = ec[0];
        ecKey = ec[1];
        server = Server.start(ServerConfig.builder().ephemeralPorts().udpPort(-1).tlsTcpPort(0).tlsFramedPort(0)
                .tls(TlsContext.server(TlsFiles.fromPem(ecCert, ecKey, null).context()).build()).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void bothKindsOfKeyThatOpensslWritesAreRead() throws Exception {
        assertThat(TlsFiles.fromPem(rsaCert, rsaKey, null).certificate().getPublicKey().getAlgorithm()).isEqualTo("RSA");
        assertThat(TlsFiles.fromPem(ecCert, ecKey, null).certificate().getPublicKey().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void aMissingFileIsOneLineAndExit2() {
        CommandRun run = serve("--tls-cert", dir.resolve("nope.pem").toString(), "--tls-key", rsaKey.toString());
        assertThat(run.status()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("serve: " + dir.resolve("nope.pem") + ": no such file\n");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsOneLineAndExit2() throws Exception {
        Path[] other = TestCerts.selfSigned(Files.createDirectories(dir.resolve("other")), "rsa");
        for (String[] pair : new String[][] {{rsaCert.toString(), ecKey.toString()}, {rsaCert.toString(), other[1].toString()}}) {
            CommandRun run = serve("--tls-cert", pair[0], "--tls-key", pair[1]);
            assertThat(run.status()).as(run.toString()).isEqualTo(2);
            assertThat(run.err()).startsWith("serve: " + pair[1] + " does not match " + pair[0]).endsWith("\n")
                    .hasLineCount(1);
        }
    }

    @Test
    void aWrongKeystorePasswordIsOneLineAndExit2() throws Exception {
        Path store = dir.resolve("server.p12");
        TestCerts.openssl(dir, "pkcs12", "-export", "-in", rsaCert.toString(), "-inkey", rsaKey.toString(),
                "-out", store.toString(), "-passout", "pass:right");
        CommandRun run = serve("--tls-keystore", store.toString(), "--tls-keystore-password", "wrong");
        assertThat(run.status()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("serve: " + store + ": wrong keystore password (--tls-keystore-password)\n");
        assertThat(TlsFiles.fromKeystore(store, "right".toCharArray(), null).certificate().getSubjectX500Principal()
                .getName()).isEqualTo("CN=localhost");
    }

    @Test
    void aFileThatIsNotPemIsOneLineAndExit2() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate\n");
        CommandRun run = serve("--tls-cert", junk.toString(), "--tls-key", rsaKey.toString());
        assertThat(run.status()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).startsWith("serve: " + junk + ": ").hasLineCount(1);
    }

    @Test
    void aTlsPortWithoutACertificateIsAUsageError() {
        CommandRun run = CommandRun.of("", "serve", "--tcp", "0", "--framed", "0", "--udp", "0", "--tls-tcp", "0");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("serve: a TLS port needs a certificate: --tls-cert FILE --tls-key FILE, or --tls-keystore FILE\n");
    }

    @Test
    void anExpiredCertificateIsLoadedWithAWarning() throws Exception {
        // keytool can back-date a certificate: valid for one day, starting three days ago.
        Path store = dir.resolve("expired.p12");
        Process p = new ProcessBuilder("keytool", "-genkeypair", "-alias", "old", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=localhost", "-startdate", "-3d", "-validity", "1", "-keystore",
                store.toString(), "-storetype", "PKCS12", "-storepass", "secret", "-keypass", "secret")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
        TlsFiles.ServerIdentity expired = TlsFiles.fromKeystore(store, "secret".toCharArray(), null);
        assertThat(expired.validityWarning(Instant.now())).contains("expired on");
        assertThat(TlsFiles.fromPem(rsaCert, rsaKey, null).validityWarning(Instant.now())).isNull();
    }

    @Test
    void theClientRefusesASelfSignedServerAndSaysWhatToDo() {
        CommandRun run = CommandRun.of("hello\n", "client", "--tls", "--port", port(server.tlsTcpAddress().getPort()));
        assertThat(run.status()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).startsWith("client: cannot connect to 127.0.0.1:" + server.tlsTcpAddress().getPort()
                + ": the server's certificate is not trusted").contains("--cafile FILE").contains("--insecure")
                .hasLineCount(1);
    }

    @Test
    void theClientTrustsTheCertificateItIsGivenAndChecksTheHostName() {
        CommandRun run = CommandRun.of("hello over tls\n", "client", "--tls", "--cafile", ecCert.toString(),
                "--host", "localhost", "--port", port(server.tlsTcpAddress().getPort()));
        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("HELLO OVER TLS\n");
        CommandRun framed = CommandRun.of("framed over tls\n", "client", "--tls", "--framed", "--cafile",
                ecCert.toString(), "--port", port(server.tlsFramedAddress().getPort()));
        assertThat(framed.out()).as(framed.toString()).isEqualTo("FRAMED OVER TLS\n");
    }

    @Test
    void insecureSkipsTheCheck() {
        CommandRun run = CommandRun.of("anything goes\n", "client", "--tls", "--insecure", "--port",
                port(server.tlsTcpAddress().getPort()));
        assertThat(run.out()).as(run.toString()).isEqualTo("ANYTHING GOES\n");
    }

    @Test
    void tlsToAPlaintextPortSaysSo() {
        CommandRun run = CommandRun.of("hello\n", "client", "--tls", "--insecure", "--port",
                port(server.tcpAddress().getPort()));
        assertThat(run.status()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("is this a TLS port?").hasLineCount(1);
    }

    private static CommandRun serve(String... tlsArgs) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("serve", "--tcp", "0", "--framed", "0",
                "--udp", "0", "--tls-tcp", "0"));
        args.addAll(java.util.List.of(tlsArgs));
        return CommandRun.of("", args.toArray(String[]::new));
    }

    private static String port(int port) {
        return Integer.toString(port);
    }
}
