package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import nioreactor.demo.LoopbackReactor;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Connection;
import nioreactor.reactor.Limits;
import nioreactor.reactor.ReactorStats;
import nioreactor.reactor.StreamHandler;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.server.UpperEcho;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A handler that throws (a bug in a protocol): only the connection it was serving closes (or the datagram it was
 * answering is dropped); the loop, the listener and every other client go on, and the failure is counted.
 */
@Timeout(60)
class HandlerFailureTest {
    private static final byte POISON = '!';

    /** Upper-echo, except that a poison byte makes it throw, as a buggy protocol would. */
    private final StreamHandler fragile = new StreamHandler() {
        private final UpperEcho echo = new UpperEcho();

        @Override
        public void onData(Connection connection, ByteBuffer data) {
            for (int i = data.position(); i < data.limit(); i++) {
                if (data.get(i) == POISON) {
                    throw new IllegalStateException("injected handler failure");
                }
            }
            echo.onData(connection, data);
        }
    };

    @Test
    void aFailingHandlerClosesOnlyItsConnection() throws Exception {
        List<EchoPeer> others = new ArrayList<>();
        try (LoopbackReactor server = new LoopbackReactor("fragile")) {
            InetSocketAddress address = server.listen("fragile", () -> fragile, Limits.DEFAULTS);
            for (int i = 0; i < 5; i++) {
                EchoPeer peer = EchoPeer.connect(address);
                others.add(peer);
                roundTrip(peer, "before " + i);
            }
            try (EchoPeer victim = EchoPeer.connect(address)) {
                victim.send("boom!".getBytes());
                assertThat(victim.ended()).as("the failing connection is closed").isTrue();
            }
            for (EchoPeer peer : others) {
                roundTrip(peer, "after");
            }
            try (EchoPeer late = EchoPeer.connect(address)) {
                roundTrip(late, "the listener still accepts");
            }
            ReactorStats stats = server.stats();
            assertThat(stats.handlerErrors()).isEqualTo(1);
            assertThat(stats.closed(CloseReason.HANDLER_ERROR)).isEqualTo(1);
            assertThat(server.reactor().isRunning()).isTrue();
        } finally {
            for (EchoPeer p : others) {
                p.close();
            }
        }
    }


    /**
     * The UDP side: handling one datagram throws (here the clock does, when the test says so); that datagram is
     * dropped and counted, and the next ones are answered as usual.
     */
    @Test
    void aFailingDatagramIsDroppedAndTheServiceGoesOn() throws Exception {
        AtomicBoolean poisoned = new AtomicBoolean();
        InstantSource clock = new InstantSource() {
            @Override
            public Instant instant() {
                if (poisoned.getAndSet(false)) {
                    throw new IllegalStateException("injected failure while answering a datagram");
                }
                return Instant.now();
            }
        };
        Server server = Server.start(ServerConfig.builder().ephemeralPorts().tcpPort(-1).framedPort(-1).clock(clock)
                .build());
        try (DatagramSocket udp = Loopback.udp()) {
            assertThat(Loopback.ask(udp, server.udpAddress(), "%Y".getBytes())).hasSize(4);
            poisoned.set(true);
            byte[] lost = "%Y".getBytes();
            udp.send(new DatagramPacket(lost, lost.length, server.udpAddress()));
            Eventually.until(() -> server.stats().handlerErrors() == 1, () -> "the injected failure");
            assertThat(Loopback.ask(udp, server.udpAddress(), "%Y".getBytes())).hasSize(4);
            ReactorStats stats = server.stats();
            assertThat(stats.datagramsDropped()).isEqualTo(1);
            assertThat(stats.datagramsIn()).isEqualTo(3);
            assertThat(stats.datagramsOut()).isEqualTo(2);
        } finally {
            server.close();
        }
    }

    private static void roundTrip(EchoPeer peer, String text) throws IOException {
        peer.send(text.getBytes());
        assertThat(new String(peer.read(text.length()))).isEqualTo(text.toUpperCase());
    }
}
