package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import nioreactor.server.FramedUpperEcho;
import nioreactor.server.UpperEcho;
import nioreactor.testing.ConcurrentClients;
import nioreactor.testing.ConcurrentClients.Exchange;
import nioreactor.testing.Eventually;
import nioreactor.testing.Frames;
import nioreactor.testing.Loopback;
import nioreactor.testing.Seed;
import nioreactor.testing.TestCerts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS layer of {@link Connection} with Java's own TLS peer ({@code SSLSocket}) and with itself in client mode:
 * the services' handlers run over it unchanged, every byte of the integrity load comes back, backpressure counts
 * ciphertext, and close_notify goes both ways.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsConnectionTest {
    private static final int MAX_CHUNK = 64 * 1024;

    @TempDir
    static Path dir;
    static TestCerts certs;
    static Reactor reactor;
    static InetSocketAddress upper;
    static InetSocketAddress framed;
    static InetSocketAddress tinyMarks;
    static ExecutorService taskPool;
    static InetSocketAddress pooled;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.create(dir);
        reactor = Reactor.builder().name("tls-test").build();
        reactor.start();
        TlsContext tls = TlsContext.server(certs.serverContext()).handshakeTimeout(Duration.ofSeconds(2)).build();
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        upper = (InetSocketAddress) reactor.listen("upper-tls", any, Limits.DEFAULTS, tls, UpperEcho.forOneReactor())
                .get().address();
        framed = (InetSocketAddress) reactor.listen("framed-tls", any, Limits.DEFAULTS, tls,
                FramedUpperEcho.forOneReactor(reactor, 1024 * 1024)).get().address();
        tinyMarks = (InetSocketAddress) reactor.listen("tiny-tls", any,
                Limits.DEFAULTS.withWaterMarks(64 * 1024, 16 * 1024), tls, UpperEcho.forOneReactor()).get().address();
        taskPool = Executors.newFixedThreadPool(2);
        TlsContext onPool = TlsContext.server(certs.serverContext()).delegatedTasks(taskPool).build();
        pooled = (InetSocketAddress) reactor.listen("pooled-tls", any, Limits.DEFAULTS, onPool,
                UpperEcho.forOneReactor()).get().address();
    }

    @AfterAll
    static void stop() throws Exception {
        reactor.shutdownGracefully(Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
        taskPool.shutdownNow();
    }

    @Test
    void aLineComesBackUpperCasedOverTls13AndTls12() throws Exception {
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            try (SSLSocket socket = certs.connect(upper, false, protocol)) {
                assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
                assertThat(echo(socket, "hello, tls " + protocol)).isEqualTo("HELLO, TLS " + protocol.toUpperCase());
                assertThat(echo(socket, "again")).isEqualTo("AGAIN");
            }
        }
    }

    @Test
    void delegatedTasksOnAPoolGiveTheSameAnswers() throws Exception {
        for (String protocol : new String[] {"TLSv1.3", "TLSv1.2"}) {
            try (SSLSocket socket = certs.connect(pooled, false, protocol)) {
                assertThat(echo(socket, "pooled " + protocol)).isEqualTo("POOLED " + protocol.toUpperCase());
            }
        }
    }

    @Test
    void rawEchoReturnsEveryByteOfConcurrentTlsConnections() throws Exception {
        Seed seed = Seed.orDefault(12_001);
        List<Exchange> exchanges = ConcurrentClients.upperEchoes(seed, 0, 8, 4 * 1024 * 1024);
        long handshakes = reactor.stats().service("tls_handshakes_total");
        ConcurrentClients.run(upper, exchanges, seed, MAX_CHUNK, () -> { }, this::tls);
        assertThat(reactor.stats().service("tls_handshakes_total") - handshakes).isGreaterThanOrEqualTo(8);
        assertThat(reactor.stats().bytesAbandoned()).isZero();
    }

    @Test
    void framedEchoFindsEveryFrameInRecordsSplitAnywhere() throws Exception {
        Seed seed = Seed.orDefault(12_002);
        List<Exchange> exchanges = ConcurrentClients.framedEchoes(seed, 0, 8, 2 * 1024 * 1024, MAX_CHUNK).exchanges();
        ConcurrentClients.run(framed, exchanges, seed, MAX_CHUNK, () -> { }, this::tls);
    }

    @Test
    void lateReadersMakeTheServerPauseOnCiphertextAndNothingIsLost() throws Exception {
        // Water marks of 64 KiB / 16 KiB, and clients that start reading only once the server had to stop reading
        // them: the pause, OP_WRITE and the resume all run on ciphertext.
        Seed seed = Seed.orDefault(12_003);
        List<Exchange> exchanges = ConcurrentClients.upperEchoes(seed, 0, 4, 12 * 1024 * 1024);
        long pausesBefore = reactor.stats().backpressurePauses();
        ConcurrentClients.run(tinyMarks, exchanges, seed, MAX_CHUNK,
                () -> Eventually.until(() -> reactor.stats().backpressurePauses() > pausesBefore,
                        () -> "the server never paused"), this::tls);
        assertThat(reactor.stats().bytesAbandoned()).isZero();
    }

    @Test
    void theReactorIsItsOwnTlsClient() throws Exception {
        // Client mode through the same Connection layer: a handler on an outbound TLS connection gets onOpen after the
        // handshake, sends, and reads the echo.
        TlsContext client = TlsContext.client(certs.clientContext(false)).peerHost("localhost").build();
        CompletableFuture<String> answer = new CompletableFuture<>();
        byte[] request = "from the reactor itself\n".getBytes(StandardCharsets.US_ASCII);
        StringBuilder got = new StringBuilder();
        reactor.connect(upper, Limits.DEFAULTS, Duration.ofSeconds(5), client, new StreamHandler() {
            @Override
            public void onOpen(Connection connection) {
                connection.send(ByteBuffer.wrap(request));
            }

            @Override
            public void onData(Connection connection, ByteBuffer data) {
                got.append(StandardCharsets.US_ASCII.decode(data));
                if (got.length() >= request.length) {
                    answer.complete(got.toString());
                    connection.closeAfterFlush(CloseReason.LOCAL);
                }
            }
        }).get(10, TimeUnit.SECONDS);
        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("FROM THE REACTOR ITSELF\n");
    }

    @Test
    void anOutboundHandshakeWithAnUntrustedServerIsAFailedConnect() throws Exception {
        // The JDK's default trust store does not know the test CA.
        TlsContext client = TlsContext.client(javax.net.ssl.SSLContext.getDefault()).peerHost("localhost").build();
        CompletableFuture<Throwable> told = new CompletableFuture<>();
        CompletableFuture<Connection> connect = reactor.connect(upper, Limits.DEFAULTS, Duration.ofSeconds(5), client,
                new StreamHandler() {
                    @Override
                    public void onData(Connection connection, ByteBuffer data) {
                    }

                    @Override
                    public void onConnectFailed(java.net.SocketAddress remote, java.io.IOException cause) {
                        told.complete(cause);
                    }
                });
        assertThatThrownBy(() -> connect.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(SSLException.class);
        assertThat(told.get(10, TimeUnit.SECONDS)).isInstanceOf(SSLException.class);
    }

    @Test
    void aClientThatNeverFinishesItsHandshakeIsClosedAtTheTimeout() throws Exception {
        long before = reactor.stats().service("tls_handshake_failures_timeout_total");
        try (Socket socket = Loopback.connect(upper)) {
            long start = System.nanoTime();
            // At most an alert record (content type 21), then EOF; readAllBytes would fail on the read timeout.
            byte[] last = socket.getInputStream().readAllBytes();
            assertThat(last.length == 0 || last[0] == 0x15).as("alert or nothing: %s", java.util.Arrays.toString(last))
                    .isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));
        }
        assertThat(reactor.stats().service("tls_handshake_failures_timeout_total")).isEqualTo(before + 1);
    }

    @Test
    void aTooLongFrameClosesTheConnectionWithCloseNotifyAfterTheRepliesBeforeIt() throws Exception {
        try (SSLSocket socket = certs.connect(framed, false)) {
            OutputStream out = socket.getOutputStream();
            byte[] ok = Frames.encode(List.of("fine".getBytes(StandardCharsets.US_ASCII)));
            out.write(ok);
            out.write(new byte[] {0x7f, 0, 0, 0}); // 2 GiB: over --max-frame
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(Frames.read(in)).isEqualTo("FINE".getBytes(StandardCharsets.US_ASCII));
            // A clean end: close_notify, so SSLSocket reports EOF rather than a truncation.
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void theTraceShowsEveryHandshakeStep() throws Exception {
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        Reactor traced = Reactor.builder().name("tls-trace").trace(Trace.to(lines::add)).build();
        traced.start();
        try {
            InetSocketAddress at = (InetSocketAddress) traced.listen("traced", new InetSocketAddress("127.0.0.1", 0),
                    Limits.DEFAULTS, TlsContext.server(certs.serverContext()).build(), UpperEcho.forOneReactor())
                    .get().address();
            try (SSLSocket socket = certs.connect(at, false, "TLSv1.3")) {
                assertThat(echo(socket, "traced")).isEqualTo("TRACED");
            }
            Eventually.until(() -> String.join("\n", lines).contains("close_notify"), () -> "close_notify traced");
        } finally {
            traced.shutdownGracefully(Duration.ofSeconds(1)).get(10, TimeUnit.SECONDS);
        }
        String trace = String.join("\n", lines);
        assertThat(trace).contains("tls unwrap #1 OK NEED_TASK", "tls NEED_TASK #1", "tls wrap #1 OK NEED_WRAP",
                "NEED_UNWRAP", "bytes in", "bytes out", "tls #1 handshake done: TLSv1.3");
    }

    private Socket tls(InetSocketAddress server) throws java.io.IOException {
        try {
            return certs.connect(server, false);
        } catch (nioreactor.tls.TlsFileException e) {
            throw new AssertionError(e);
        }
    }

    private static String echo(SSLSocket socket, String line) throws Exception {
        byte[] request = line.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
        byte[] reply = socket.getInputStream().readNBytes(request.length);
        return new String(reply, StandardCharsets.UTF_8);
    }
}
