package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import nioreactor.testing.ProxyHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A listener told to expect the PROXY protocol: the header gives the client address, and nothing else gets in. */
class ProxyProtocolListenerTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("198.51.100.23", 40001);
    private static final InetSocketAddress FRONT = new InetSocketAddress("198.51.100.1", 8082);

    private final List<String> trace = new CopyOnWriteArrayList<>();
    private final List<SocketAddress> seen = new CopyOnWriteArrayList<>();
    private Reactor reactor;

    @BeforeEach
    void start() {
        reactor = Reactor.builder().name("proxied").trace(Trace.to(trace::add)).build();
        reactor.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        reactor.stop();
        assertThat(reactor.awaitTermination(Duration.ofSeconds(30))).isTrue();
    }

    /** Greets with the client address, then echoes. */
    private InetSocketAddress listen(ListenOptions options) throws Exception {
        Listener l = reactor.listen("echo", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Limits.DEFAULTS, options, home -> new StreamHandler() {
                    @Override
                    public void onOpen(Connection c) {
                        seen.add(c.clientAddress());
                        c.send(ByteBuffer.wrap(("hello " + c.clientAddress() + "\n").getBytes(StandardCharsets.US_ASCII)));
                    }

                    @Override
                    public void onData(Connection c, ByteBuffer data) {
                        c.send(data);
                    }
                }).get(30, TimeUnit.SECONDS);
        return (InetSocketAddress) l.address();
    }

    private static String line(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new AssertionError("EOF after \"" + sb + "\"");
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    @Test
    void aV2HeaderAndTheFirstRequestInOneWriteGiveTheClientAndTheRequest() throws Exception {
        InetSocketAddress at = listen(ListenOptions.DEFAULTS.expectProxyHeader(Duration.ofSeconds(3)));
        try (Socket s = Loopback.connect(at)) {
            byte[] header = ProxyHeaders.v2(CLIENT, FRONT, 20);
            byte[] both = new byte[header.length + 4];
            System.arraycopy(header, 0, both, 0, header.length);
            System.arraycopy("ping".getBytes(StandardCharsets.US_ASCII), 0, both, header.length, 4);
            s.getOutputStream().write(both);
            assertThat(line(s.getInputStream())).isEqualTo("hello " + CLIENT);
            assertThat(new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
        }
        assertThat(seen).containsExactly(CLIENT);
        assertThat(reactor.stats().service("proxy_headers_total")).isEqualTo(1);
        assertThat(trace).anyMatch(l -> l.contains("proxy #1 v2: client " + CLIENT));
    }

    @Test
    void aV1HeaderByteByByteWorksToo() throws Exception {
        InetSocketAddress at = listen(ListenOptions.DEFAULTS.expectProxyHeader(Duration.ofSeconds(3)));
        try (Socket s = Loopback.connect(at)) {
            OutputStream out = s.getOutputStream();
            for (byte b : ProxyHeaders.v1(CLIENT, FRONT)) {
                out.write(b);
                out.flush();
            }
            assertThat(line(s.getInputStream())).isEqualTo("hello " + CLIENT);
        }
    }

    @Test
    void aLocalHeaderKeepsTheSocketsOwnPeer() throws Exception {
        InetSocketAddress at = listen(ListenOptions.DEFAULTS.expectProxyHeader(Duration.ofSeconds(3)));
        try (Socket s = Loopback.connect(at)) {
            s.getOutputStream().write(ProxyHeaders.v2Local(0));
            assertThat(line(s.getInputStream())).isEqualTo("hello " + s.getLocalSocketAddress());
        }
    }

    @Test
    void noHeaderABadHeaderOrASlowOneClosesTheConnectionAndCountsIt() throws Exception {
        InetSocketAddress at = listen(ListenOptions.DEFAULTS.expectProxyHeader(Duration.ofMillis(300)));
        try (Socket plain = Loopback.connect(at)) {
            plain.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Loopback.assertEof(plain.getInputStream(), "a client without a header");
        } catch (java.net.SocketException reset) {
            // closed with our request unread: a reset is as good as a FIN here
        }
        try (Socket bad = Loopback.connect(at)) {
            bad.getOutputStream().write("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n".getBytes(StandardCharsets.US_ASCII));
            Loopback.assertEof(bad.getInputStream(), "a malformed header");
        } catch (java.net.SocketException reset) {
            // likewise
        }
        try (Socket slow = Loopback.connect(at)) {
            slow.getOutputStream().write("PROXY TCP4 ".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            Loopback.assertEof(slow.getInputStream(), "a header that never ends");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(200));
        } catch (java.net.SocketException reset) {
            // likewise
        }
        Eventually.until(() -> reactor.stats().service("proxy_header_failures_total") == 3,
                () -> "three failures counted");
        // The DEBUG line says the same as the trace (the tests' JVM logs WARN and above only).
        assertThat(trace).anyMatch(l -> l.contains("rejected: no PROXY header (the first byte is 0x47)"));
        assertThat(trace).anyMatch(l -> l.contains("rejected: PROXY v1 header is not \"PROXY TCP4|TCP6"));
        assertThat(trace).anyMatch(l -> l.contains("rejected: no complete PROXY header within 300 ms"));
        assertThat(seen).as("the service never heard of them").isEmpty();
        assertThat(reactor.stats().closed(CloseReason.PROTOCOL_ERROR)).isEqualTo(3);
    }

    @Test
    void withoutTheOptionAHeaderIsJustData() throws Exception {
        InetSocketAddress at = listen(ListenOptions.DEFAULTS);
        try (Socket s = Loopback.connect(at)) {
            assertThat(line(s.getInputStream())).isEqualTo("hello " + s.getLocalSocketAddress());
            byte[] header = ProxyHeaders.v1(CLIENT, FRONT);
            s.getOutputStream().write(header);
            assertThat(s.getInputStream().readNBytes(header.length)).isEqualTo(header);
        }
    }

    @Test
    void handedOffConnectionsReadTheirHeaderOnTheirWorker() throws Exception {
        Reactor worker = Reactor.builder().name("worker").build();
        worker.start();
        try {
            InetSocketAddress at = listen(ListenOptions.DEFAULTS.expectProxyHeader(Duration.ofSeconds(3))
                    .handOffTo(List.of(worker), ListenOptions.Balance.ROUND_ROBIN));
            try (Socket s = Loopback.connect(at)) {
                s.getOutputStream().write(ProxyHeaders.v2(CLIENT, FRONT, 0));
                assertThat(line(s.getInputStream())).isEqualTo("hello " + CLIENT);
            }
            assertThat(worker.stats().service("proxy_headers_total")).isEqualTo(1);
        } finally {
            worker.stop();
            assertThat(worker.awaitTermination(Duration.ofSeconds(30))).isTrue();
        }
    }
}
