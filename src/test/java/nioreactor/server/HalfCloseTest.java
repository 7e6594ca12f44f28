package nioreactor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Limits;
import nioreactor.reactor.ReactorStats;
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
 * How connections end: the seed's "recv returns empty" (the peer's FIN) with replies still owed, a protocol error,
 * and a peer that resets. In every case the replies already owed arrive before the server's EOF, and no other
 * connection notices anything. The event-loop failures around half-close (CLOSE_WAIT leaks over hundreds of clients,
 * a loop spinning on a half-closed socket) are {@code nioreactor.robustness.HalfCloseLeakAndSpinTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HalfCloseTest {
    /** The server under test's settings; the two-reactor variants ({@code TwoReactorsTest}) add theirs. */
    ServerConfig.Builder config() {
        return ServerConfig.builder();
    }

    /**
     * More than loopback's socket buffers hold (its 64 KiB MSS lets the kernel's send buffer grow to megabytes), so
     * most replies are still queued in the server when the client's FIN arrives: the case under test.
     */
    private static final int REQUEST_BYTES = 8 * 1024 * 1024;
    /** The receive buffer of clients that read late: small, so the replies cannot hide in it. */
    private static final int SMALL_WINDOW = 16 * 1024;
    /**
     * Above the request size, so the server never stops reading these clients: they send everything before reading
     * anything, on one thread, and must not deadlock against backpressure (tested elsewhere).
     */
    private static final long HIGH_WATER = 2L * REQUEST_BYTES;

    private Server server;

    @BeforeEach
    void start() throws Exception {
        Limits limits = Limits.DEFAULTS.withWaterMarks(HIGH_WATER, Limits.DEFAULT_LOW_WATER);
        server = Server.start(config().ephemeralPorts().limits(limits).build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void rawClientThatHalfClosesGetsEveryReplyByteThenEof() throws Exception {
        Seed seed = Seed.orDefault(4_001);
        byte[] request = RandomChunks.bytes(seed.random(0), REQUEST_BYTES);
        halfCloseWithRepliesOwed(server.tcpAddress(), request, PythonUpper.of(request), seed, "raw half-close");
    }

    @Test
    void framedClientThatHalfClosesGetsEveryReplyThenEof() throws Exception {
        Seed seed = Seed.orDefault(4_002);
        List<byte[]> payloads = Frames.randomPayloads(seed.random(0), REQUEST_BYTES - 128 * 1024, 64 * 1024);
        halfCloseWithRepliesOwed(server.framedAddress(), Frames.encode(payloads), Frames.expectedReply(payloads), seed,
                "framed half-close");
    }

    @Test
    void framedClientThatHalfClosesInsideAFrameGetsTheCompleteFramesAnswered() throws Exception {
        byte[] whole = Frames.encode(List.of("one".getBytes(), "two".getBytes()));
        try (Socket socket = Loopback.connect(server.framedAddress())) {
            OutputStream out = socket.getOutputStream();
            out.write(whole);
            out.write(Frames.header(10));
            out.write("thr".getBytes()); // 3 of the 10 announced bytes, then FIN inside the frame
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            assertThat(new String(Frames.read(in))).isEqualTo("ONE");
            assertThat(new String(Frames.read(in))).isEqualTo("TWO");
            // No complete reply to the cut frame, then the end of the stream. (The streaming echo forwards a
            // frame's header and payload as they arrive, so the bytes it had already echoed of the cut frame may
            // precede the EOF; a framed client sees a stream that ends before another whole frame either way.)
            assertThatThrownBy(() -> Frames.read(in)).isInstanceOf(EOFException.class);
            Loopback.assertEof(in, "after the partial frame");
        }
        assertClosedCleanly(CloseReason.PEER_EOF);
    }

    @Test
    void tooLargeHeaderAfterGoodFramesGetsTheEarlierRepliesThenEofAndOthersAreUnaffected() throws Exception {
        Seed seed = Seed.orDefault(4_003);
        List<byte[]> payloads = Frames.randomPayloads(seed.random(0), 200 * 1024, 16 * 1024);
        try (Socket bystander = Loopback.connect(server.framedAddress());
             Socket offender = Loopback.connect(server.framedAddress())) {
            assertEchoes(bystander, "before");

            ByteArrayOutputStream request = new ByteArrayOutputStream();
            request.writeBytes(Frames.encode(payloads));
            request.writeBytes(Frames.header(ServerConfig.DEFAULT_MAX_FRAME + 1L));
            offender.getOutputStream().write(request.toByteArray());
            RandomChunks.readAndCheck(offender.getInputStream(), Frames.expectedReply(payloads), seed.random(1),
                    64 * 1024, "offender, " + seed);
            Loopback.assertEof(offender.getInputStream(), "after the too-large header");

            assertEchoes(bystander, "after");
            try (Socket newcomer = Loopback.connect(server.framedAddress())) {
                assertEchoes(newcomer, "newcomer");
            }
        }
        ReactorStats stats = server.stats();
        assertThat(stats.closed(CloseReason.PROTOCOL_ERROR)).isEqualTo(1);
        assertThat(stats.bytesAbandoned()).isZero();
        assertThat(stats.handlerErrors()).isZero();
    }

    @Test
    void aPeerThatResetsWhileRepliesArePendingDisturbsNoOne() throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Socket resetter = Loopback.connect(server.tcpAddress(), SMALL_WINDOW); // closed mid-test, with a reset
        try (Socket bystander = Loopback.connect(server.tcpAddress())) {
            assertEchoes(bystander, "before");
            // Sends without ever reading, until its socket is closed under it: the server's replies pile up in
            // its queue, and then the server stops reading (backpressure) and this write blocks.
            Future<?> flood = writer.submit(() -> {
                byte[] chunk = new byte[64 * 1024];
                OutputStream out = resetter.getOutputStream();
                while (true) {
                    out.write(chunk);
                }
            });
            Eventually.until(() -> server.stats().bytesPending() > 0,
                    () -> "the server never had replies pending for the flooding client");

            resetter.setSoLinger(true, 0);
            resetter.close(); // RST instead of FIN, with replies queued in the server
            assertThat(flood).failsWithin(30, TimeUnit.SECONDS); // its write ends with "socket closed"

            Eventually.until(() -> server.stats().closed(CloseReason.RESET) == 1,
                    () -> "the reset connection was not closed: " + server.stats().connectionsActive() + " active");
            assertEchoes(bystander, "after");
        } finally {
            resetter.close();
            writer.shutdownNow();
        }
        ReactorStats stats = server.stats();
        assertThat(stats.bytesAbandoned()).as("the lost replies are counted, not hidden").isPositive();
        assertThat(stats.handlerErrors()).isZero();
    }

    /**
     * Sends {@code request} from a client that reads late, half-closes, and checks that every byte of
     * {@code expectedReply} then arrives, followed by EOF, and that the server closed the connection cleanly.
     */
    private void halfCloseWithRepliesOwed(InetSocketAddress address, byte[] request, byte[] expectedReply, Seed seed,
                                          String what) throws Exception {
        try (Socket socket = Loopback.connect(address, SMALL_WINDOW)) {
            RandomChunks.write(socket.getOutputStream(), request, seed.random(1), 64 * 1024);
            socket.shutdownOutput();
            awaitRepliesQueuedAfterFin(request.length); // the case under test: FIN while replies are still owed
            RandomChunks.readAndCheck(socket.getInputStream(), expectedReply, seed.random(2), 64 * 1024,
                    what + ", " + seed);
            Loopback.assertEof(socket.getInputStream(), what);
        }
        assertClosedCleanly(CloseReason.PEER_EOF);
    }

    /** One request and its reply, in the protocol of the port the socket is connected to. */
    private void assertEchoes(Socket socket, String when) throws IOException {
        byte[] hello = ("hello " + when).getBytes();
        OutputStream out = socket.getOutputStream();
        if (socket.getPort() == server.framedAddress().getPort()) {
            out.write(Frames.encode(hello));
            assertThat(Frames.read(socket.getInputStream())).as(when).isEqualTo(PythonUpper.of(hello));
        } else {
            out.write(hello);
            assertThat(socket.getInputStream().readNBytes(hello.length)).as(when).isEqualTo(PythonUpper.of(hello));
        }
    }

    /**
     * Waits until the server has read the client's FIN yet still holds replies: the socket buffers are too small
     * for the request, so this state must come; only then does the client start reading.
     */
    private void awaitRepliesQueuedAfterFin(long requestBytes) throws InterruptedException {
        Eventually.until(() -> {
            ReactorStats s = server.stats();
            // (abandoned > 0: a broken server threw the replies away at the FIN; the reads below then say so)
            return s.bytesRead() == requestBytes && (s.bytesPending() > 0 || s.bytesAbandoned() > 0);
        }, () -> "the server never held replies after reading the whole request: " + server.stats().bytesRead()
                + " bytes read, " + server.stats().bytesPending() + " pending");
    }

    private void assertClosedCleanly(CloseReason reason) throws InterruptedException {
        Eventually.until(() -> server.stats().connectionsActive() == 0, () -> "connection still open on the server");
        ReactorStats stats = server.stats();
        assertThat(stats.closed(reason)).isEqualTo(1);
        assertThat(stats.bytesAbandoned()).isZero();
        assertThat(stats.handlerErrors()).isZero();
    }
}
