package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import nioreactor.reactor.ConnectionState;
import nioreactor.reactor.Limits;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import nioreactor.testing.Frames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The peer's FIN (shutdownOutput): the server must stop reading, flush every reply it owes, then close. Two old
 * event-loop failures live here: a socket left in CLOSE_WAIT because nobody closed it (the leak, over hundreds of
 * clients), and a loop spinning on a half-closed socket that stays readable (EOF) forever. What each client sees
 * when it half-closes, or when a connection ends otherwise, is {@code nioreactor.server.HalfCloseTest}.
 */
@Timeout(180)
class HalfCloseLeakAndSpinTest {
    private static final int CLIENTS = 500;

    @Test
    void everyByteArrivesThenTheServerClosesAndNothingStaysInCloseWait() throws Exception {
        assertThat(TcpTable.available()).as("needs /proc/net/tcp (Linux) to see CLOSE_WAIT").isTrue();
        Server server = Server.start(ServerConfig.builder().ephemeralPorts().udpPort(-1).build());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                clients.add(pool.submit(() -> {
                    if (id % 5 == 4) {
                        framedThenPartialFrame(server, id);
                    } else {
                        rawHalfClose(server, id);
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get(150, TimeUnit.SECONDS);
            }
            // Each client saw EOF, which the server sends only by closing: nothing can be left in CLOSE_WAIT.
            assertThat(TcpTable.count(server.tcpAddress().getPort(), TcpTable.CLOSE_WAIT)).isZero();
            assertThat(TcpTable.count(server.framedAddress().getPort(), TcpTable.CLOSE_WAIT)).isZero();
            Eventually.until(() -> server.stats().connectionsActive() == 0, () -> "all connections closed");
        } finally {
            pool.shutdownNow();
            server.close();
        }
    }

    /** Half-closed with a big reply still owed and the client not reading: the loop must idle, not spin. */
    @Test
    void aHalfClosedConnectionWithPendingOutputDoesNotSpinTheLoop() throws Exception {
        // A high water mark above what we send: the server reads it all, so it sees our FIN with replies owed (more
        // than the kernel's buffers can take: the send buffer grows to at most net.ipv4.tcp_wmem's 4 MiB).
        Server server = Server.start(ServerConfig.builder().ephemeralPorts().framedPort(-1).udpPort(-1)
                .limits(Limits.DEFAULTS.withWaterMarks(64L << 20, 16L << 20)).build());
        try (EchoPeer peer = EchoPeer.connectWithReceiveBuffer(server.tcpAddress(), 64 * 1024)) {
            long size = 16L << 20;
            peer.stream(new Payload(1), size, null);
            peer.shutdownOutput();
            Eventually.until(() -> ServerProbe.connections(server.reactor()).stream()
                            .anyMatch(v -> v.state() == ConnectionState.INPUT_CLOSED),
                    () -> "the server to see our FIN with output pending: " + ServerProbe.connections(server.reactor()));

            long loopsBefore = server.stats().loops();
            Thread.sleep(500); // a window to count loop iterations in: the check is the count, not the time
            long loops = server.stats().loops() - loopsBefore;
            // Idle, the loop turns only for our own stats calls; a spin would turn it hundreds of thousands of times.
            assertThat(loops).as("loop iterations in 500 ms while half-closed").isLessThan(100);

            assertThat(peer.readVerifying(new Payload(1), -1)).isEqualTo(size);
        } finally {
            server.close();
        }
    }

    private static void rawHalfClose(Server server, int id) throws Exception {
        int size = 1 + new Random(id).nextInt(64 * 1024);
        try (EchoPeer peer = EchoPeer.connect(server.tcpAddress())) {
            peer.stream(new Payload(id), size, null);
            peer.shutdownOutput();
            assertThat(peer.readVerifying(new Payload(id), -1)).as("client %d", id).isEqualTo(size);
        }
    }

    /** Whole frames, then a partial one at EOF: the whole ones are answered, the partial one is never completed. */
    private static void framedThenPartialFrame(Server server, int id) throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        Random random = new Random(id);
        for (int f = 0; f < 3; f++) {
            byte[] body = new byte[random.nextInt(2000)];
            new Payload(id * 10L + f).next(body, 0, body.length);
            bodies.add(body);
        }
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(Frames.encode(bodies));
        request.writeBytes(Frames.header(100));
        request.writeBytes("abcde".getBytes());
        // The framed echo streams a reply as its request arrives (the reply has the request's length), so what the
        // partial frame got answered before EOF may follow; it is cut where the request was, then the server closes.
        ByteArrayOutputStream cutReply = new ByteArrayOutputStream();
        cutReply.writeBytes(Frames.header(100));
        cutReply.writeBytes("ABCDE".getBytes());
        byte[] partialReply = cutReply.toByteArray();
        try (EchoPeer peer = EchoPeer.connect(server.framedAddress())) {
            peer.send(request.toByteArray());
            peer.shutdownOutput();
            byte[] got = peer.socket().getInputStream().readAllBytes();
            byte[] whole = Frames.expectedReply(bodies);
            assertThat(got.length).isBetween(whole.length, whole.length + partialReply.length);
            assertThat(Arrays.copyOf(got, whole.length)).isEqualTo(whole);
            assertThat(Arrays.copyOfRange(got, whole.length, got.length))
                    .isEqualTo(Arrays.copyOf(partialReply, got.length - whole.length));
        }
    }
}
