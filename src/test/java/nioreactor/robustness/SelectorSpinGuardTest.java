package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import nioreactor.reactor.Reactor;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The old JDK epoll bug: select returns 0 at once, again and again, with nothing ready, no wakeup and no timer due,
 * and the loop burns a core without ever seeing its channels. Injected here as a select that does just that on the
 * reactor's original selector: only a rebuild (every key moved to a new selector) gets the server working again.
 */
@Timeout(60)
class SelectorSpinGuardTest {
    /** Returns 0 without blocking or dispatching, for as long as it is handed the first selector it saw. */
    private static final class BrokenEpoll implements Reactor.SelectCall {
        private volatile Selector broken;
        final AtomicLong spurious = new AtomicLong();

        @Override
        public int select(Selector selector, Consumer<SelectionKey> action, long timeoutMillis) throws IOException {
            if (broken == null) {
                broken = selector;
            }
            if (selector == broken) {
                spurious.incrementAndGet();
                return 0;
            }
            return DEFAULT.select(selector, action, timeoutMillis);
        }
    }

    @Test
    void aSpinningSelectorIsRebuiltAndTheServerServesAgain() throws Exception {
        BrokenEpoll epoll = new BrokenEpoll();
        Server server = Server.start(ServerConfig.builder().ephemeralPorts().selectCall(epoll).spinThreshold(64).build());
        try {
            Eventually.until(() -> server.stats().selectorRebuilds() >= 1,
                    () -> "a rebuild; spurious returns so far " + epoll.spurious.get());
            long spuriousAtRebuild = epoll.spurious.get();
            assertThat(spuriousAtRebuild).isGreaterThanOrEqualTo(64);

            try (TcpPeer peer = TcpPeer.connect(server.tcpAddress())) {
                peer.send("rebuilt".getBytes());
                assertThat(new String(peer.read(7))).isEqualTo("REBUILT");
            }
            try (var udp = Loopback.udp()) {
                assertThat(Loopback.ask(udp, server.udpAddress(), "%Y".getBytes())).hasSize(4);
            }
            assertThat(epoll.spurious.get()).as("the broken selector is no longer used").isEqualTo(spuriousAtRebuild);
            assertThat(server.stats().selectorRebuilds()).isEqualTo(1);
        } finally {
            server.close();
        }
    }
}
