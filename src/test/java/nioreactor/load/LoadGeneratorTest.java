package nioreactor.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.UnixSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load generator against a real server, briefly, in every mode: replies verified, numbers sane, no timing. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoadGeneratorTest {
    private static final Duration SHORT = Duration.ofMillis(500);

    private Server server;

    @BeforeEach
    void start() throws IOException {
        server = Server.start(ServerConfig.builder().ephemeralPorts().build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static LoadResult run(LoadSettings settings) throws Exception {
        try (LoadGenerator load = LoadGenerator.connect(settings)) {
            return load.run(LoadGenerator.Progress.NONE);
        }
    }

    private static LoadSettings settings(LoadMode mode, InetSocketAddress target, int connections, int size, int depth) {
        return new LoadSettings(mode, target, connections, size, depth, Duration.ofMillis(100), SHORT, 1);
    }

    private static void assertSane(LoadResult r) {
        assertThat(r.requests()).isPositive();
        assertThat(r.errors()).isZero();
        assertThat(r.requestsPerSecond()).isPositive();
        assertThat(r.p50Micros()).isPositive().isLessThanOrEqualTo(r.p99Micros());
        assertThat(r.p99Micros()).isLessThanOrEqualTo(r.p999Micros());
        assertThat(r.p999Micros()).isLessThanOrEqualTo(r.maxMicros());
        assertThat(r.summary()).contains("req/s", "p99.9");
    }

    @Test
    void pingPongOnRawEcho() throws Exception {
        assertSane(run(settings(LoadMode.RAW, server.tcpAddress(), 4, 64, 1)));
    }

    @Test
    void largeRequestsCrossManyReadsAndWrites() throws Exception {
        assertSane(run(settings(LoadMode.RAW, server.tcpAddress(), 2, 100_000, 1)));
    }

    @Test
    void pipelinedRaw() throws Exception {
        assertSane(run(settings(LoadMode.RAW, server.tcpAddress(), 3, 64, 16)));
    }

    @Test
    void pipelinedFramed() throws Exception {
        assertSane(run(settings(LoadMode.FRAMED, server.framedAddress(), 3, 64, 16)));
    }

    @Test
    void rawAndFramedLoadOverAfUnixOnTheLibrarysConnect() throws Exception {
        Path dir = UnixSockets.shortDir();
        try (Server unix = Server.start(ServerConfig.builder().tcpPort(-1).framedPort(-1).udpPort(-1)
                .unixTcpPath(dir.resolve("u.sock")).unixFramedPath(dir.resolve("f.sock")).build())) {
            assertSane(run(new LoadSettings(LoadMode.RAW, UnixDomainSocketAddress.of(unix.unixTcpPath()), 4, 64, 1,
                    Duration.ofMillis(100), SHORT, 1)));
            assertSane(run(new LoadSettings(LoadMode.RAW, UnixDomainSocketAddress.of(unix.unixTcpPath()), 2, 16 * 1024,
                    1, Duration.ofMillis(100), SHORT, 1)));
            assertSane(run(new LoadSettings(LoadMode.FRAMED, UnixDomainSocketAddress.of(unix.unixFramedPath()), 3, 64,
                    16, Duration.ofMillis(100), SHORT, 1)));
            assertThat(unix.stats().connectionsAcceptedUnix()).isEqualTo(9);
        } finally {
            UnixSockets.deleteTree(dir);
        }
    }

    @Test
    void udpNeedsAnIpAddress() {
        assertThatThrownBy(() -> new LoadSettings(LoadMode.UDP_TIME, UnixDomainSocketAddress.of("/tmp/x.sock"), 1, 0, 1,
                Duration.ZERO, SHORT, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("UDP needs an IP address and port, not /tmp/x.sock");
    }

    @Test
    void emptyFrames() throws Exception {
        assertSane(run(settings(LoadMode.FRAMED, server.framedAddress(), 1, 0, 4)));
    }

    @Test
    void connectionChurn() throws Exception {
        assertSane(run(settings(LoadMode.CHURN, server.tcpAddress(), 2, 64, 1)));
    }

    @Test
    void udpTime() throws Exception {
        LoadResult r = run(settings(LoadMode.UDP_TIME, server.udpAddress(), 4, 0, 1));
        // Not assertSane: a datagram counts as lost (an error) after a second without its reply, a timing rule a
        // stalled test machine could break; every reply that did arrive was checked, which is what this tests.
        assertThat(r.requests()).isPositive();
        assertThat(r.p50Micros()).isPositive().isLessThanOrEqualTo(r.maxMicros());
    }

    @Test
    void pingEachProvesEveryConnectionIsServed() throws Exception {
        try (LoadGenerator load = LoadGenerator.connect(settings(LoadMode.RAW, server.tcpAddress(), 50, 16, 1))) {
            load.pingEach(Duration.ofSeconds(10));
            assertThat(load.openConnections()).isEqualTo(50);
        }
    }

    @Test
    void eachThreadIsAReactorThatCloseStops() throws Exception {
        try (LoadGenerator load = LoadGenerator.connect(settings(LoadMode.RAW, server.tcpAddress(), 4, 64, 1).withThreads(2))) {
            assertThat(loadgenThreads()).containsExactlyInAnyOrder("loadgen-0", "loadgen-1");
            assertSane(load.run(LoadGenerator.Progress.NONE));
            assertSane(load.run(Duration.ZERO, SHORT, LoadGenerator.Progress.NONE)); // again, on the same connections
        }
        // A generator that left its reactors running would leak a thread, a selector and its sockets per run.
        assertThat(loadgenThreads()).isEmpty();
    }

    private static java.util.List<String> loadgenThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("loadgen-"))
                .toList();
    }

    @Test
    void aServerThatHangsUpCountsErrorsButDoesNotFailTheRun() throws Exception {
        try (ServerSocket rude = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread hangUp = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = rude.accept();
                        s.getInputStream().read(); // the first request byte, then away
                        s.close();
                    }
                } catch (IOException ignored) {
                    // the listener was closed: the test is over
                }
            });
            hangUp.setDaemon(true);
            hangUp.start();
            InetSocketAddress target = (InetSocketAddress) rude.getLocalSocketAddress();
            try (LoadGenerator load = LoadGenerator.connect(settings(LoadMode.RAW, target, 3, 64, 1))) {
                // Long enough for the accept loop to reach all three even on a stalled machine.
                LoadResult r = load.run(Duration.ZERO, Duration.ofSeconds(2), LoadGenerator.Progress.NONE);
                assertThat(r.requests()).isZero();
                assertThat(r.errors()).isEqualTo(3);
                assertThat(load.openConnections()).isZero();
            }
        }
    }

    @Test
    void aWrongByteFailsTheRun() throws Exception {
        try (ServerSocket liar = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> echoLowerCase(liar));
            echo.setDaemon(true);
            echo.start();
            InetSocketAddress target = (InetSocketAddress) liar.getLocalSocketAddress();
            assertThatThrownBy(() -> run(settings(LoadMode.RAW, target, 1, 64, 1)))
                    .isInstanceOf(LoadFailure.class)
                    .hasMessageContaining("wrong reply byte at offset 1 of reply 0")
                    .hasMessageContaining("expected 0x45");
        }
    }

    /** A broken server: echoes without upper-casing. */
    private static void echoLowerCase(ServerSocket listener) {
        try (Socket s = listener.accept()) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException ignored) {
            // the generator hangs up after the failure
        }
    }

    @Test
    void settingsRejectNonsense() {
        InetSocketAddress t = new InetSocketAddress("127.0.0.1", 1);
        assertThatThrownBy(() -> settings(LoadMode.RAW, t, 0, 64, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> settings(LoadMode.RAW, t, 1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> settings(LoadMode.CHURN, t, 1, 64, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(settings(LoadMode.FRAMED, t, 1, 64, 16).describe()).isEqualTo("framed 1 conns x 64 B, depth 16");
    }
}
