package nioreactor.robustness;

import nioreactor.reactor.Limits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import nioreactor.reactor.ConnectionState;
import nioreactor.reactor.Reactor;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code close()} / {@code shutdown(timeout)}: listeners close at once, connections stop being read, what they are
 * owed is flushed for up to the timeout, the rest is abandoned and counted.
 */
@Timeout(120)
class GracefulShutdownTest {
    /** The server under test's settings; the two-reactor variants ({@code TwoReactorsTest}) add theirs. */
    ServerConfig.Builder config() {
        return ServerConfig.builder();
    }

    /** Bigger than the kernel can absorb between us (64 KiB receive buffer) and the server (4 MiB send buffer). */
    private static final long SENT = 16L << 20;

    @Test
    void aClientThatReadsAfterShutdownStartsGetsEveryByte() throws Exception {
        Server server = startReadingEverything();
        try (EchoPeer peer = EchoPeer.connectWithReceiveBuffer(server.tcpAddress(), 64 * 1024)) {
            long owed = sendWithoutReading(server, peer);
            InetSocketAddress address = server.tcpAddress();

            CompletableFuture<Reactor.ShutdownSummary> summary =
                    CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(60)));
            // Shutdown has begun (the connection is draining); new connections are refused while it still flushes.
            Eventually.until(() -> ServerProbe.connections(server).stream()
                    .allMatch(v -> v.state() == ConnectionState.DRAINING), () -> "the connection to start draining");
            assertThat(refused(address)).as("a new connection during shutdown is refused").isTrue();
            assertThat(summary).isNotDone();

            assertThat(peer.readVerifying(new Payload(0), -1)).as("bytes received after shutdown began").isEqualTo(SENT);
            Reactor.ShutdownSummary s = summary.get(60, TimeUnit.SECONDS);
            assertThat(s.connectionsClosed()).isEqualTo(1);
            assertThat(s.bytesFlushed()).isPositive().isLessThanOrEqualTo(owed);
            assertThat(s.bytesAbandoned()).isZero();
        } finally {
            server.close();
        }
    }

    @Test
    void aClientThatNeverReadsHasItsBytesAbandonedAtTheTimeout() throws Exception {
        Server server = startReadingEverything();
        try (EchoPeer peer = EchoPeer.connectWithReceiveBuffer(server.tcpAddress(), 64 * 1024)) {
            long owed = sendWithoutReading(server, peer);

            Reactor.ShutdownSummary s = server.shutdown(Duration.ofMillis(500));
            assertThat(s.connectionsClosed()).isEqualTo(1);
            assertThat(s.bytesAbandoned()).as("abandoned at the deadline").isPositive();
            assertThat(s.bytesFlushed() + s.bytesAbandoned()).isLessThanOrEqualTo(owed);

            long got = 0;
            try {
                got = peer.readVerifying(new Payload(0), -1); // what did arrive is a correct prefix
            } catch (SocketException reset) {
                // closed with our input unread: the kernel resets, which is what "abandoned" means on the wire
            }
            assertThat(got).isLessThan(SENT);
        }
    }

    /** Nothing owed: shutdown finishes as soon as the connections are closed, not when the timeout runs out. */
    @Test
    @Timeout(30)
    void shutdownWithNothingPendingReturnsWithoutWaitingForItsTimeout() throws Exception {
        Server server = Server.start(config().ephemeralPorts().build());
        try (EchoPeer idle = EchoPeer.connect(server.tcpAddress()); EchoPeer framed = EchoPeer.connect(server.framedAddress())) {
            Eventually.until(() -> server.stats().connectionsActive() == 2, () -> "both accepted");
            Reactor.ShutdownSummary s = server.shutdown(Duration.ofSeconds(120)); // far beyond this test's timeout
            assertThat(s.connectionsClosed()).isEqualTo(2);
            assertThat(s.bytesAbandoned()).isZero();
            assertThat(idle.socket().getInputStream().read()).isEqualTo(-1);
            assertThat(framed.socket().getInputStream().read()).isEqualTo(-1);
            assertThat(server.isRunning()).isFalse();
        }
        assertThatThrownBy(() -> Loopback.connect(server.tcpAddress())).isInstanceOf(IOException.class);
    }

    /** High water far above SENT: the server reads everything, so all of it is owed when shutdown begins. */
    private Server startReadingEverything() throws IOException {
        return Server.start(config().ephemeralPorts().framedPort(-1).udpPort(-1)
                .limits(Limits.DEFAULTS.withWaterMarks(64L << 20, 16L << 20)).build());
    }

    /** Sends SENT bytes, reads none, waits until the server has read them all; returns what it has queued. */
    private static long sendWithoutReading(Server server, EchoPeer peer) throws Exception {
        peer.stream(new Payload(0), SENT, null);
        Eventually.until(() -> server.stats().bytesRead() == SENT, () -> "the server to read all; " + server.stats().bytesRead());
        long owed = server.stats().bytesPending(); // from now on it can only shrink: nothing more comes in
        assertThat(owed).as("replies queued in the server").isPositive();
        return owed;
    }

    private static boolean refused(InetSocketAddress address) {
        try (EchoPeer p = EchoPeer.connect(address)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
