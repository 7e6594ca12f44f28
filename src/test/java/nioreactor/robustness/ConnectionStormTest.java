package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import nioreactor.protocol.Upper;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.ReactorStats;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.LogCapture;
import nioreactor.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 2,000 connections opened, used and ended every way a peer can end one: reset (SO_LINGER 0) after use, reset with
 * the server's writes pending, polite close, gone in the middle of a frame. Each must cost the server nothing once
 * gone: its descriptor count comes back to where it started, nothing is logged above DEBUG, and it still serves.
 */
@Timeout(240)
class ConnectionStormTest {
    private static final int CONNECTIONS = 2_000;
    private static final int WAVE = 250;
    /** Descriptors the JVM itself may open meanwhile (a jar, a GC or JIT file); a per-connection leak is far bigger. */
    private static final int SLACK = 2;

    @Test
    void descriptorsComeBackAndTheServerStillServes() throws Exception {
        assertThat(Descriptors.available()).as("needs /proc/self/fd (Linux) to count descriptors").isTrue();
        Server server = Server.start(ServerConfig.builder().ephemeralPorts().udpPort(-1).build());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            storm(server, pool, 40); // warm-up: every class and lazily opened JVM file is loaded before counting
            awaitNoConnections(server);
            int baseline = Descriptors.open();
            ReactorStats before = server.stats();

            try (LogCapture log = new LogCapture()) {
                storm(server, pool, CONNECTIONS);
                // Resets are normal life for a server: DEBUG lines, never a storm of WARNs with stack traces.
                assertThat(log.lines("WARN")).as("WARN lines during the storm").isZero();
                assertThat(log.lines("Exception")).as("stack traces during the storm").isZero();
            }

            awaitNoConnections(server);
            Eventually.until(() -> Descriptors.open() <= baseline + SLACK,
                    () -> "descriptors back to " + baseline + " (+" + SLACK + "); now " + Descriptors.open());
            ReactorStats after = server.stats();
            assertThat(after.connectionsAccepted() - before.connectionsAccepted()).isEqualTo(CONNECTIONS);
            assertThat(after.closed(CloseReason.RESET) - before.closed(CloseReason.RESET)).as("resets seen")
                    .isPositive();
            assertThat(after.bytesPending()).isZero();
            assertThat(after.handlerErrors()).isZero();
            try (EchoPeer peer = EchoPeer.connect(server.tcpAddress())) {
                peer.send("still here".getBytes());
                assertThat(new String(peer.read(10))).isEqualTo("STILL HERE");
            }
        } finally {
            pool.shutdownNow();
            server.close();
        }
    }

    private static void storm(Server server, ExecutorService pool, int total) throws Exception {
        for (int first = 0; first < total; first += WAVE) {
            // A wave is connected all at once, then used and ended in parallel.
            List<EchoPeer> wave = new ArrayList<>();
            try {
                for (int i = first; i < Math.min(total, first + WAVE); i++) {
                    wave.add(EchoPeer.connect(i % 4 == 3 ? server.framedAddress() : server.tcpAddress()));
                }
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < wave.size(); i++) {
                    EchoPeer peer = wave.get(i);
                    int kind = (first + i) % 4;
                    done.add(pool.submit(() -> {
                        useAndEnd(peer, kind);
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                for (EchoPeer p : wave) {
                    p.close();
                }
            }
        }
    }

    private static void useAndEnd(EchoPeer peer, int kind) throws IOException {
        if (kind == 3) {
            // Framed: one whole frame answered, then gone with a frame half sent.
            byte[] body = "storm".getBytes();
            peer.send(ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array());
            assertThat(peer.read(4 + body.length)).endsWith(Upper.of(body));
            peer.send(ByteBuffer.allocate(4 + 3).putInt(1000).put(new byte[3]).array());
            peer.close();
            return;
        }
        byte[] request = new byte[1024];
        new Payload(kind).next(request, 0, request.length);
        peer.send(request);
        assertThat(peer.read(request.length)).isEqualTo(Upper.of(request));
        switch (kind) {
            case 0 -> peer.reset();
            case 1 -> {
                // The server is mid-reply (we never read this) when the reset hits it.
                byte[] more = new byte[512 * 1024];
                peer.send(more);
                peer.reset();
            }
            default -> peer.close();
        }
    }

    private static void awaitNoConnections(Server server) throws InterruptedException {
        Eventually.until(() -> server.stats().connectionsActive() == 0,
                () -> "no open connections; now " + server.stats().connectionsActive());
    }
}
