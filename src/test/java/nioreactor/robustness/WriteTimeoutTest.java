package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Limits;
import nioreactor.reactor.ReactorStats;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer that stops reading must not keep its descriptor and our memory forever: pending output with no write
 * progress for {@code --write-timeout} closes the connection, whether it is paused by the water marks or half-closed
 * by the peer (which would otherwise sit in CLOSE_WAIT). A reader that is slow but keeps reading is left alone.
 */
@Timeout(60)
class WriteTimeoutTest {
    private static final Duration WRITE_TIMEOUT = Duration.ofMillis(500);

    @Test
    void aPausedConnectionWhosePeerNeverReadsIsClosed() throws Exception {
        Limits limits = Limits.DEFAULTS.withWaterMarks(64 * 1024, 16 * 1024).withWriteTimeout(WRITE_TIMEOUT);
        try (Server server = start(limits); EchoPeer peer = EchoPeer.connectWithReceiveBuffer(server.tcpAddress(), 64 * 1024)) {
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try {
                // Blocks once the server stops reading; ends with an error when the server gives up on us.
                writer.submit(() -> {
                    peer.stream(new Payload(7), 64L << 20, null);
                    return null;
                });
                awaitClosedByWriteTimeout(server);
            } finally {
                writer.shutdownNow();
                writer.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aHalfClosedConnectionWhosePeerNeverReadsIsClosed() throws Exception {
        // High water marks above what is sent: the server reads everything, sees the FIN, and still owes replies.
        Limits limits = Limits.DEFAULTS.withWaterMarks(64L << 20, 16L << 20).withWriteTimeout(WRITE_TIMEOUT);
        try (Server server = start(limits); EchoPeer peer = EchoPeer.connectWithReceiveBuffer(server.tcpAddress(), 64 * 1024)) {
            peer.stream(new Payload(8), 16L << 20, null);
            peer.shutdownOutput();
            awaitClosedByWriteTimeout(server);
        }
    }

    @Test
    void aSlowReaderThatKeepsReadingIsNotClosed() throws Exception {
        Limits limits = Limits.DEFAULTS.withWaterMarks(64 * 1024, 16 * 1024).withWriteTimeout(WRITE_TIMEOUT);
        long size = 1L << 20;
        try (Server server = start(limits); EchoPeer peer = EchoPeer.connectWithReceiveBuffer(server.tcpAddress(), 16 * 1024)) {
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try {
                writer.submit(() -> {
                    peer.stream(new Payload(9), size, null);
                    return null;
                });
                Payload expected = new Payload(9);
                long got = 0;
                while (got < size) {
                    got += peer.readVerifying(expected, Math.min(32 * 1024, size - got));
                    Thread.sleep(20); // slow: the server's queue stays above the high water mark most of the time
                }
                assertThat(got).isEqualTo(size);
            } finally {
                writer.shutdownNow();
                writer.awaitTermination(10, TimeUnit.SECONDS);
            }
            ReactorStats stats = server.stats();
            assertThat(stats.closed(CloseReason.WRITE_TIMEOUT)).isZero();
            assertThat(stats.connectionsActive()).isEqualTo(1);
        }
    }

    private static Server start(Limits limits) throws Exception {
        return Server.start(ServerConfig.builder().ephemeralPorts().framedPort(-1).udpPort(-1).limits(limits).build());
    }

    private static void awaitClosedByWriteTimeout(Server server) throws InterruptedException {
        Eventually.until(() -> server.stats().closed(CloseReason.WRITE_TIMEOUT) == 1,
                () -> "closed by the write timeout: " + server.stats().closed(CloseReason.WRITE_TIMEOUT));
        ReactorStats stats = server.stats();
        assertThat(stats.connectionsActive()).as("descriptor released: no CLOSE_WAIT left").isZero();
        assertThat(stats.bytesAbandoned()).as("what the peer never read is counted").isPositive();
        assertThat(stats.bytesPending()).isZero();
    }
}
