package nioreactor.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import nioreactor.reactor.ReactorStats;
import nioreactor.testing.ConcurrentClients;
import nioreactor.testing.ConcurrentClients.Exchange;
import nioreactor.testing.Eventually;
import nioreactor.testing.PythonUpper;
import nioreactor.testing.RandomChunks;
import nioreactor.testing.Seed;
import nioreactor.testing.UnixSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link EchoLoadTest}'s integrity load over AF_UNIX: many connections at once, random write and read sizes, every
 * reply byte checked, on both echoes; and readers that lag until the server has had to pause them. The same reactor
 * serves TCP too, untouched: the family changes nothing above the socket.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnixEchoLoadTest {
    private static final int CONNECTIONS = 16;
    private static final int BYTES_PER_CONNECTION = 2 * 1024 * 1024;
    private static final int MAX_CHUNK = 64 * 1024;

    private Path dir;
    private Server server;

    @BeforeEach
    void start() throws Exception {
        dir = UnixSockets.shortDir();
        server = Server.start(ServerConfig.builder().ephemeralPorts().udpPort(-1)
                .unixTcpPath(dir.resolve("upper.sock")).unixFramedPath(dir.resolve("framed.sock")).build());
    }

    @AfterEach
    void stop() {
        try {
            server.close();
            assertThat(dir.resolve("upper.sock")).as("removed on shutdown").doesNotExist();
            assertThat(dir.resolve("framed.sock")).as("removed on shutdown").doesNotExist();
        } finally {
            UnixSockets.deleteTree(dir);
        }
    }

    @Test
    void rawEchoOverUnixReturnsEveryByteUpperCased() throws Exception {
        Seed seed = Seed.orDefault(16_001);
        List<Exchange> exchanges = ConcurrentClients.upperEchoes(seed, 0, CONNECTIONS, BYTES_PER_CONNECTION);
        ConcurrentClients.run(UnixDomainSocketAddress.of(server.unixTcpPath()), exchanges, seed, MAX_CHUNK);
        ReactorStats stats = assertCleanRun((long) CONNECTIONS * BYTES_PER_CONNECTION);
        assertThat(stats.connectionsAcceptedUnix()).isEqualTo(CONNECTIONS);
        assertThat(stats.connectionsAccepted()).isEqualTo(CONNECTIONS);
    }

    @Test
    void framedEchoOverUnixFindsEveryFrameHoweverTheBytesArrive() throws Exception {
        Seed seed = Seed.orDefault(16_002);
        ConcurrentClients.FramedLoad load = ConcurrentClients.framedEchoes(seed, 0, CONNECTIONS, BYTES_PER_CONNECTION,
                MAX_CHUNK);
        ConcurrentClients.run(UnixDomainSocketAddress.of(server.unixFramedPath()), load.exchanges(), seed, MAX_CHUNK);
        ReactorStats stats = assertCleanRun(load.bytes());
        assertThat(stats.service("frames_total")).isEqualTo(load.frames());
    }

    @Test
    void slowReadersOverUnixArePausedAndLoseNothing() throws Exception {
        // AF_UNIX has no receive window: the sender's socket buffer is all the kernel holds, so the server's write
        // queue fills sooner than over TCP. The readers start only once the server has stopped reading them.
        Seed seed = Seed.orDefault(16_003);
        int lagging = 4;
        int each = 12 * 1024 * 1024;
        List<Exchange> exchanges = ConcurrentClients.upperEchoes(seed, 0, lagging, each);
        ConcurrentClients.run(UnixDomainSocketAddress.of(server.unixTcpPath()), exchanges, seed, MAX_CHUNK,
                () -> Eventually.until(() -> server.stats().backpressurePauses() >= lagging,
                        () -> "every connection paused; pauses so far " + server.stats().backpressurePauses()));
        ReactorStats stats = assertCleanRun((long) lagging * each);
        assertThat(stats.backpressurePauses()).isGreaterThanOrEqualTo(lagging);
        long bound = server.config().limits().highWater() + server.config().limits().readBudget();
        assertThat(stats.peakConnectionPending()).as("the most any connection held").isLessThanOrEqualTo(bound);
    }

    @Test
    void unixAndTcpClientsShareTheReactorAtOnce() throws Exception {
        Seed seed = Seed.orDefault(16_004);
        byte[] data = RandomChunks.bytes(seed.random(0), 1024 * 1024);
        List<Exchange> one = List.of(new Exchange(data, PythonUpper.of(data)));
        FutureTask<List<Integer>> tcp = new FutureTask<>(() -> ConcurrentClients.run(server.tcpAddress(), one, seed,
                MAX_CHUNK));
        new Thread(tcp, "tcp-client").start();
        ConcurrentClients.run(UnixDomainSocketAddress.of(server.unixTcpPath()), one, seed, MAX_CHUNK);
        tcp.get(60, TimeUnit.SECONDS);
        ReactorStats stats = assertCleanRun(2L * data.length);
        assertThat(stats.connectionsAccepted()).isEqualTo(2);
        assertThat(stats.connectionsAcceptedUnix()).isEqualTo(1);
    }

    private ReactorStats assertCleanRun(long bytesEachWay) throws Exception {
        // The last close is counted on the reactor thread just after the client saw its EOF.
        Eventually.until(() -> server.stats().connectionsActive() == 0, () -> "every connection closed");
        ReactorStats stats = server.stats();
        assertThat(stats.handlerErrors()).isZero();
        assertThat(stats.bytesRead()).isEqualTo(bytesEachWay);
        assertThat(stats.bytesWritten()).isEqualTo(bytesEachWay);
        assertThat(stats.bytesAbandoned()).isZero();
        assertThat(stats.connectionsActiveUnix()).isZero();
        return stats;
    }
}
