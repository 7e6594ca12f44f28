package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Connection;
import nioreactor.reactor.Limits;
import nioreactor.reactor.Stats;
import nioreactor.reactor.StreamHandler;
import nioreactor.server.UpperEcho;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A handler that throws (a bug in a protocol): only the connection it was serving closes; the loop, the listener
 * and every other client go on, and the failure is counted.
 */
@Timeout(60)
class HandlerFailureTest {
    private static final byte POISON = '!';

    /** Upper-echo, except that a poison byte makes it throw, as a buggy protocol would. */
    private static final StreamHandler FRAGILE = new StreamHandler() {
        @Override
        public void onData(Connection connection, ByteBuffer data) {
            for (int i = data.position(); i < data.limit(); i++) {
                if (data.get(i) == POISON) {
                    throw new IllegalStateException("injected handler failure");
                }
            }
            UpperEcho.INSTANCE.onData(connection, data);
        }
    };

    @Test
    void aFailingHandlerClosesOnlyItsConnection() throws Exception {
        List<TcpPeer> others = new ArrayList<>();
        try (BareReactor server = BareReactor.start("fragile", Limits.DEFAULTS, () -> FRAGILE)) {
            for (int i = 0; i < 5; i++) {
                TcpPeer peer = TcpPeer.connect(server.address());
                others.add(peer);
                roundTrip(peer, "before " + i);
            }
            try (TcpPeer victim = TcpPeer.connect(server.address())) {
                victim.send("boom!".getBytes());
                assertThat(victim.ended()).as("the failing connection is closed").isTrue();
            }
            for (TcpPeer peer : others) {
                roundTrip(peer, "after");
            }
            try (TcpPeer late = TcpPeer.connect(server.address())) {
                roundTrip(late, "the listener still accepts");
            }
            Stats stats = server.stats();
            assertThat(stats.handlerErrors).isEqualTo(1);
            assertThat(stats.closed(CloseReason.HANDLER_ERROR)).isEqualTo(1);
            assertThat(server.reactor().isRunning()).isTrue();
        } finally {
            for (TcpPeer p : others) {
                p.close();
            }
        }
    }


    private static void roundTrip(TcpPeer peer, String text) throws IOException {
        peer.send(text.getBytes());
        assertThat(new String(peer.read(text.length()))).isEqualTo(text.toUpperCase());
    }
}
