package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import nioreactor.reactor.ConnectionState;
import nioreactor.reactor.Limits;
import nioreactor.reactor.ReactorStats;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that send without reading (the unbounded-output-buffer failure): each pushes 64 MiB to upper-echo and
 * reads nothing. The server must stop reading them at the high water mark, so its memory stays bounded while their
 * writes block in their own kernel buffers; once they read, every byte arrives, upper-cased, in order.
 */
@Timeout(180)
class SlowReaderTest {
    /** The server under test's settings; the two-reactor variants ({@code TwoReactorsTest}) add theirs. */
    ServerConfig.Builder config() {
        return ServerConfig.builder();
    }

    private static final int CLIENTS = 4;
    private static final long EACH = 64L << 20;

    @Test
    void pendingOutputStaysUnderTheHighWaterMarkAndNothingIsLost() throws Exception {
        Server server = Server.start(config().ephemeralPorts().framedPort(-1).udpPort(-1).build());
        ExecutorService pool = Executors.newFixedThreadPool(2 * CLIENTS);
        List<EchoPeer> peers = new ArrayList<>();
        try {
            Limits limits = server.config().limits();
            // A reply is queued before the mark is checked, so one read's worth may sit above it.
            long bound = limits.highWater() + limits.readBudget();
            long heapBefore = usedHeapAfterGc();

            List<AtomicLong> sent = new ArrayList<>();
            List<Future<?>> writers = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                EchoPeer peer = EchoPeer.connect(server.tcpAddress());
                peers.add(peer);
                AtomicLong progress = new AtomicLong();
                sent.add(progress);
                long seed = i;
                writers.add(pool.submit(() -> {
                    peer.stream(new Payload(seed), EACH, progress);
                    peer.shutdownOutput();
                    return null;
                }));
            }

            // The fault, reproduced: every connection is paused with its writer stuck, as no client reads.
            Eventually.until(() -> {
                List<ServerProbe.View> views = ServerProbe.connections(server);
                return views.size() == CLIENTS && views.stream().allMatch(v -> v.state() == ConnectionState.PAUSED);
            }, () -> "all connections PAUSED; now " + ServerProbe.connections(server));
            for (ServerProbe.View v : ServerProbe.connections(server)) {
                assertThat(v.pending()).as("pending output of %s", v).isPositive().isLessThanOrEqualTo(bound);
            }
            ReactorStats paused = server.stats();
            assertThat(paused.peakConnectionPending()).as("the most any connection ever held").isLessThanOrEqualTo(bound);
            assertThat(paused.bytesPending()).isLessThanOrEqualTo(CLIENTS * bound);
            assertThat(paused.backpressurePauses()).isGreaterThanOrEqualTo(CLIENTS);
            for (AtomicLong s : sent) {
                assertThat(s.get()).as("a writer is blocked, not done").isLessThan(EACH);
            }
            // 256 MiB were offered; an unbounded server would hold most of it on its heap.
            assertThat(usedHeapAfterGc() - heapBefore).as("heap growth while saturated").isLessThan(64L << 20);

            // Now they read: every byte comes back, in order, upper-cased.
            List<Future<Long>> readers = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                EchoPeer peer = peers.get(i);
                Payload expected = new Payload(i);
                readers.add(pool.submit(() -> peer.readVerifying(expected, -1)));
            }
            for (int i = 0; i < CLIENTS; i++) {
                writers.get(i).get(150, TimeUnit.SECONDS);
                assertThat(readers.get(i).get(150, TimeUnit.SECONDS)).as("bytes echoed to client %d", i).isEqualTo(EACH);
            }
            ReactorStats end = server.stats();
            assertThat(end.peakConnectionPending()).isLessThanOrEqualTo(bound);
            assertThat(end.bytesAbandoned()).isZero();
        } finally {
            pool.shutdownNow();
            for (EchoPeer p : peers) {
                p.close();
            }
            server.close();
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
