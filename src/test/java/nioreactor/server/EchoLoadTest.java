package nioreactor.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import nioreactor.reactor.Limits;
import nioreactor.reactor.ReactorStats;
import nioreactor.testing.ConcurrentClients;
import nioreactor.testing.ConcurrentClients.Exchange;
import nioreactor.testing.Eventually;
import nioreactor.testing.Frames;
import nioreactor.testing.Loopback;
import nioreactor.testing.PythonUpper;
import nioreactor.testing.RandomChunks;
import nioreactor.testing.Seed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load test: 16 connections at once, 4 MiB each way, random write and read sizes, every reply byte
 * checked, on both TCP ports. Throughput is not asserted (that is the benchmark's job), only correctness.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class EchoLoadTest {
    /** The server under test's settings; the two-reactor variants ({@code TwoReactorsTest}) add theirs. */
    ServerConfig.Builder config() {
        return ServerConfig.builder();
    }

    private static final int CONNECTIONS = 16;
    private static final int BYTES_PER_CONNECTION = 4 * 1024 * 1024;
    private static final int MAX_CHUNK = 64 * 1024;
    private static final int LAGGING_CONNECTIONS = 4;
    private static final int LAGGING_BYTES_PER_CONNECTION = 24 * 1024 * 1024;

    private Server server;

    @BeforeEach
    void start() throws Exception {
        server = Server.start(config().ephemeralPorts().build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void rawPortEchoesEveryByteUpperCasedUnderConcurrentLoad() throws Exception {
        Seed seed = Seed.orDefault(3_001);
        List<Exchange> exchanges = ConcurrentClients.upperEchoes(seed, 0, CONNECTIONS, BYTES_PER_CONNECTION);
        ConcurrentClients.run(server.tcpAddress(), exchanges, seed, MAX_CHUNK);
        assertCleanRun((long) CONNECTIONS * BYTES_PER_CONNECTION);
    }

    @Test
    void framedPortAnswersEveryFrameUnderConcurrentLoad() throws Exception {
        // Frames of 0..64 KiB, and the stream written in pieces of 1 byte..64 KiB that cut through headers and
        // payloads at random places: the server must find the frames however the bytes arrive.
        Seed seed = Seed.orDefault(3_002);
        ConcurrentClients.FramedLoad load = ConcurrentClients.framedEchoes(seed, 0, CONNECTIONS, BYTES_PER_CONNECTION,
                MAX_CHUNK);
        ConcurrentClients.run(server.framedAddress(), load.exchanges(), seed, MAX_CHUNK);
        ReactorStats stats = assertCleanRun(load.bytes());
        assertThat(stats.service("frames_total")).isEqualTo(load.frames());
    }

    @Test
    void readersThatLagFarBehindMakeTheServerQueueAndPauseWithoutLosingAByte() throws Exception {
        // Loopback's socket buffers absorb about 4 MiB per connection, so the load above rarely queues a byte in the
        // server. Here the readers start only once the server has had to stop reading (pending output above the
        // high water mark): the write queue, OP_WRITE, pause and resume all run under concurrent load. The request
        // is larger than the kernel's buffers plus the high water mark, so that pause must come.
        Seed seed = Seed.orDefault(3_004);
        List<Exchange> exchanges = ConcurrentClients.upperEchoes(seed, 0, LAGGING_CONNECTIONS,
                LAGGING_BYTES_PER_CONNECTION);
        ConcurrentClients.run(server.tcpAddress(), exchanges, seed, MAX_CHUNK,
                () -> Eventually.until(() -> server.stats().backpressurePauses() > 0, () -> "the server never paused"));
        ReactorStats stats = assertCleanRun((long) LAGGING_CONNECTIONS * LAGGING_BYTES_PER_CONNECTION);
        assertThat(stats.backpressurePauses()).isPositive();
    }

    @Test
    void framedPortWithTinyBuffersAndWaterMarksLosesNothing() throws Exception {
        // A 1 KiB read buffer cuts every frame into many reads (and leaves the reply scratch buffer just 64 bytes
        // of slack), and water marks of 64 KiB / 16 KiB pause a lagging connection early.
        Limits tiny = Limits.DEFAULTS.withWaterMarks(64 * 1024, 16 * 1024);
        Seed seed = Seed.orDefault(3_005);
        try (Server small = Server.start(config().ephemeralPorts().readBufferSize(1024).limits(tiny).build())) {
            List<Exchange> exchanges = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                List<byte[]> payloads = Frames.randomPayloads(seed.random(i), 8 * 1024 * 1024, MAX_CHUNK);
                exchanges.add(new Exchange(Frames.encode(payloads), Frames.expectedReply(payloads)));
            }
            ConcurrentClients.run(small.framedAddress(), exchanges, seed, MAX_CHUNK,
                    () -> Eventually.until(() -> small.stats().backpressurePauses() > 0, () -> "the server never paused"));
            ReactorStats stats = small.stats();
            assertThat(stats.handlerErrors()).isZero();
            assertThat(stats.bytesAbandoned()).isZero();
            assertThat(stats.bytesWritten()).isEqualTo(stats.bytesRead());
            assertThat(stats.backpressurePauses()).isPositive();
        }
    }

    @Test
    void pipelinedFramesAreAllAnsweredInOrder() throws Exception {
        Seed seed = Seed.orDefault(3_003);
        Random random = seed.random(0);
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            payloads.add(RandomChunks.bytes(random, random.nextInt(4) == 0 ? 0 : random.nextInt(200)));
        }
        try (Socket socket = Loopback.connect(server.framedAddress())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            // All requests in one write before reading any reply (about 300 KB: far below the high water mark, so
            // the server never has to stop reading and this single thread cannot deadlock).
            out.write(Frames.encode(payloads));
            for (int i = 0; i < payloads.size(); i++) {
                assertThat(Frames.read(in)).as("reply %d, %s", i, seed).isEqualTo(PythonUpper.of(payloads.get(i)));
            }
            // The connection is still in step afterwards: plain request/response.
            for (int i = 0; i < 50; i++) {
                byte[] p = RandomChunks.bytes(random, random.nextInt(100));
                out.write(Frames.encode(p));
                assertThat(Frames.read(in)).as("ping %d, %s", i, seed).isEqualTo(PythonUpper.of(p));
            }
        }
    }

    @Test
    void pipelinedRawRequestsComeBackAsOneUpperCasedStream() throws Exception {
        // The seed's client sends a line and waits; a pipelining one sends many lines at once. The raw echo must not
        // care: the reply is the request stream, upper-cased, however it was cut.
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            lines.append("line ").append(i).append(": hello, world\n");
        }
        byte[] request = lines.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (Socket socket = Loopback.connect(server.tcpAddress())) {
            socket.getOutputStream().write(request);
            RandomChunks.readAndCheck(socket.getInputStream(), PythonUpper.of(request), new Random(1), 1000, "raw");
        }
    }

    private ReactorStats assertCleanRun(long bytesEachWay) throws Exception {
        ReactorStats stats = server.stats();
        assertThat(stats.handlerErrors()).isZero();
        assertThat(stats.bytesRead()).isEqualTo(bytesEachWay);
        assertThat(stats.bytesWritten()).isEqualTo(bytesEachWay);
        assertThat(stats.bytesAbandoned()).isZero();
        return stats;
    }
}
