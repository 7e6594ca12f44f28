package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import nioreactor.reactor.ReactorStats;
import nioreactor.reactor.TlsContext;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.ConcurrentClients;
import nioreactor.testing.ConcurrentClients.Exchange;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import nioreactor.testing.Seed;
import nioreactor.testing.TestCerts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input on a TLS port closes that connection only: each case is sent while good TLS clients run their integrity
 * load on the same port, and those must finish with every byte right. Each case is also counted under its reason in
 * the TLS metrics.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsBadInputTest {
    @TempDir
    static Path dir;
    static TestCerts certs;
    static Server server;
    static InetSocketAddress tls;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.create(dir);
        server = Server.start(ServerConfig.builder().ephemeralPorts().framedPort(-1).udpPort(-1).tlsTcpPort(0)
                .tls(TlsContext.server(certs.serverContext()).handshakeTimeout(Duration.ofSeconds(1)).build()).build());
        tls = server.tlsTcpAddress();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyKindOfBadInputClosesOnlyItsOwnConnection() throws Exception {
        CompletableFuture<Void> good = goodClients();
        ReactorStats before = server.stats();

        // Plaintext to a TLS port: the client gets an alert record (content type 21), then EOF.
        byte[] answer = sendRaw("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), true);
        assertThat(answer).as("answer to plaintext").isNotEmpty();
        assertThat(answer[0]).as("an alert record").isEqualTo((byte) 0x15);

        // A garbage application-data record before any handshake.
        byte[] garbage = new byte[5 + 32];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0x17;
        garbage[1] = 0x03;
        garbage[2] = 0x03;
        garbage[3] = 0x00;
        garbage[4] = 0x20;
        assertThat(sendRaw(garbage, true)).startsWith((byte) 0x15);

        // A record header announcing 64 KiB (over the 16 KiB + 2 KiB a record may hold), and a ClientHello announcing
        // 16 MiB: refused from the header, before any of it is buffered.
        assertThat(sendRaw(new byte[] {0x16, 0x03, 0x01, (byte) 0xff, (byte) 0xff, 1, 2, 3}, true)).startsWith((byte) 0x15);
        assertThat(sendRaw(new byte[] {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, (byte) 0xff, (byte) 0xff, (byte) 0xff}, true))
                .startsWith((byte) 0x15);

        // A truncated ClientHello, then FIN; and one followed by silence, closed at the handshake timeout (1 s).
        byte[] hello = clientHello();
        sendRaw(Arrays.copyOf(hello, hello.length / 2), true);
        long start = System.nanoTime();
        sendRaw(Arrays.copyOf(hello, hello.length / 2), false);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));

        // A handshake aborted halfway: a whole ClientHello, the first bytes of the server's answer, then a close.
        try (Socket s = Loopback.connect(tls)) {
            s.getOutputStream().write(hello);
            assertThat(s.getInputStream().read()).isEqualTo(0x16); // the server's handshake flight begins
        }

        // Garbage after a finished handshake: a record the peer's keys cannot have made (bad MAC).
        try (Socket plain = Loopback.connect(tls)) {
            SSLSocket ssl = (SSLSocket) certs.clientContext(false).getSocketFactory()
                    .createSocket(plain, "localhost", tls.getPort(), false);
            ssl.startHandshake();
            plain.getOutputStream().write(garbage);
            plain.getInputStream().readAllBytes(); // an encrypted alert, then EOF (a read timeout would fail)
        }

        Eventually.until(() -> failures(server.stats()) - failures(before) >= 7,
                () -> "7 failed handshakes counted; now " + (failures(server.stats()) - failures(before)));
        ReactorStats after = server.stats();
        assertThat(delta(after, before, "tls_handshake_failures_not_tls_total")).isGreaterThanOrEqualTo(1);
        assertThat(delta(after, before, "tls_handshake_failures_protocol_total")).isGreaterThanOrEqualTo(2);
        assertThat(delta(after, before, "tls_handshake_failures_eof_total")).isGreaterThanOrEqualTo(2);
        assertThat(delta(after, before, "tls_handshake_failures_timeout_total")).isEqualTo(1);
        assertThat(delta(after, before, "tls_record_errors_total")).isEqualTo(1);

        good.get(90, TimeUnit.SECONDS); // every good client got every byte back
        assertThat(server.stats().handlerErrors()).isZero();
    }

    /** Four TLS clients with 2 MiB each, checking every byte, on another thread. */
    private static CompletableFuture<Void> goodClients() {
        Seed seed = Seed.orDefault(12_100);
        List<Exchange> exchanges = ConcurrentClients.upperEchoes(seed, 0, 4, 2 * 1024 * 1024);
        SSLSocketFactory factory;
        try {
            factory = certs.clientContext(false).getSocketFactory();
        } catch (nioreactor.tls.TlsFileException e) {
            throw new AssertionError(e);
        }
        return CompletableFuture.runAsync(() -> {
            try {
                ConcurrentClients.run(tls, exchanges, seed, 16 * 1024, () -> Thread.sleep(200),
                        at -> factory.createSocket(Loopback.connect(at), "localhost", at.getPort(), true));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    /** Sends {@code bytes} on a new connection, half-closes when {@code fin}, and returns all the server sent until EOF. */
    private static byte[] sendRaw(byte[] bytes, boolean fin) throws Exception {
        try (Socket s = Loopback.connect(tls)) {
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            if (fin) {
                s.shutdownOutput();
            }
            InputStream in = s.getInputStream();
            return in.readAllBytes(); // the server closes; a read timeout would fail the test
        }
    }

    /** The first flight of a real JDK client: a ClientHello record. */
    private static byte[] clientHello() throws Exception {
        SSLEngine engine = certs.clientContext(false).createSSLEngine("localhost", tls.getPort());
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        assertThat(hello[0]).isEqualTo((byte) 0x16);
        return hello;
    }

    private static long failures(ReactorStats s) {
        long n = 0;
        for (String reason : new String[] {"timeout", "eof", "not_tls", "protocol", "refused"}) {
            n += s.service("tls_handshake_failures_" + reason + "_total");
        }
        return n + s.service("tls_record_errors_total");
    }

    private static long delta(ReactorStats after, ReactorStats before, String name) {
        return after.service(name) - before.service(name);
    }
}
