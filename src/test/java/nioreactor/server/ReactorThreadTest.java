package nioreactor.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import nioreactor.reactor.ReactorStats;
import nioreactor.testing.ConcurrentClients;
import nioreactor.testing.ConcurrentClients.Exchange;
import nioreactor.testing.Frames;
import nioreactor.testing.Loopback;
import nioreactor.testing.PythonUpper;
import nioreactor.testing.RandomChunks;
import nioreactor.testing.Seed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The single-thread rule, checked from outside the code under test: fails if any read or write of a server-side
 * socket ever runs on a thread other than the reactor's.
 *
 * <p>How: the JDK's own Flight Recorder. With a zero threshold, JDK 17 records a {@code jdk.SocketRead} /
 * {@code jdk.SocketWrite} event, with its thread, for every read and write of a {@code SocketChannel} (it
 * instruments {@code sun.nio.ch.SocketChannelImpl}, gathering writes and non-blocking reads that return 0 included;
 * checked with a probe on this JDK before writing the test). The event's port is the remote one, so the server side's
 * events are exactly those whose port is one of the test clients' local ports; the clients' own events (remote port =
 * the server's) are left out. We cannot wrap the JDK's channels to check threads ourselves, so this is the honest
 * witness. It does not see accept, register or interest-op changes, nor UDP (no JFR events for those in JDK 17):
 * those paths carry {@code assert inReactorThread()} in the code, and assertions are on in tests; a failing assert in a
 * handler is counted in {@link Stats#handlerErrors}, which must stay 0.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ReactorThreadTest {
    private static final String REACTOR = "reactor-0";
    private static final int CONNECTIONS = 4;
    private static final int BYTES_PER_CONNECTION = 1024 * 1024;

    @Test
    void everyServerSideSocketReadAndWriteRunsOnTheReactorThread() throws Exception {
        Seed seed = Seed.orDefault(5_001);
        Path file = Files.createTempFile("reactor-thread", ".jfr");
        Set<Integer> clientPorts = new HashSet<>();
        ReactorStats stats;
        Server server;
        try (Recording recording = new Recording()) {
            recording.enable("jdk.SocketRead").withThreshold(Duration.ZERO).withoutStackTrace();
            recording.enable("jdk.SocketWrite").withThreshold(Duration.ZERO).withoutStackTrace();
            recording.start();

            server = Server.start(ServerConfig.builder().ephemeralPorts().reactorName(REACTOR).build());
            try {
                List<Exchange> raw = new ArrayList<>();
                List<Exchange> framed = new ArrayList<>();
                for (int i = 0; i < CONNECTIONS; i++) {
                    byte[] data = RandomChunks.bytes(seed.random(i), BYTES_PER_CONNECTION);
                    raw.add(new Exchange(data, PythonUpper.of(data)));
                    List<byte[]> payloads = Frames.randomPayloads(seed.random(100 + i), BYTES_PER_CONNECTION, 64 * 1024);
                    framed.add(new Exchange(Frames.encode(payloads), Frames.expectedReply(payloads)));
                }
                clientPorts.addAll(ConcurrentClients.run(server.tcpAddress(), raw, seed, 64 * 1024));
                clientPorts.addAll(ConcurrentClients.run(server.framedAddress(), framed, seed, 64 * 1024));
                try (DatagramSocket udp = Loopback.udp()) {
                    for (int i = 0; i < 20; i++) {
                        assertThat(Loopback.ask(udp, server.udpAddress(), "%Y".getBytes(UTF_8))).hasSize(4);
                    }
                }
                stats = server.stats();
            } finally {
                server.close(); // the shutdown path's socket calls are recorded too
            }
            recording.stop();
            recording.dump(file);
        }

        int serverPort = server.tcpAddress().getPort();
        int framedPort = server.framedAddress().getPort();
        Map<String, Integer> serverSideByThread = new TreeMap<>();
        int clientSide = 0;
        long serverBytesRead = 0;
        long serverBytesWritten = 0;
        try {
            for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
                int port = e.getInt("port");
                String thread = e.getThread() == null ? "?" : e.getThread().getJavaName();
                if (clientPorts.contains(port)) {
                    serverSideByThread.merge(e.getEventType().getName() + " on " + thread, 1, Integer::sum);
                    if (e.hasField("bytesRead")) {
                        serverBytesRead += Math.max(0, e.getLong("bytesRead"));
                    } else {
                        serverBytesWritten += e.getLong("bytesWritten");
                    }
                } else if (port == serverPort || port == framedPort) {
                    clientSide++;
                    assertThat(thread).as("a test client's socket call").isNotEqualTo(REACTOR);
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }

        System.out.printf("server-side socket calls by thread: %s; client-side calls: %d%n", serverSideByThread, clientSide);
        assertThat(clientSide).as("the clients' calls were recorded: the recording works").isGreaterThan(100);
        assertThat(serverSideByThread.keySet())
                .as("threads of the server's socket calls, with counts: %s", serverSideByThread)
                .containsExactlyInAnyOrder("jdk.SocketRead on " + REACTOR, "jdk.SocketWrite on " + REACTOR);
        assertThat(serverSideByThread.values().stream().mapToInt(Integer::intValue).sum())
                .as("many server-side calls were seen").isGreaterThan(100);
        assertThat(stats.handlerErrors()).as("no assertion failed inside a handler").isZero();
        // The witness saw every byte the server moved, so no read or write escaped it.
        assertThat(serverBytesRead).as("bytes read in recorded server-side calls").isEqualTo(stats.bytesRead());
        assertThat(serverBytesWritten).as("bytes written in recorded server-side calls").isEqualTo(stats.bytesWritten());
    }
}
