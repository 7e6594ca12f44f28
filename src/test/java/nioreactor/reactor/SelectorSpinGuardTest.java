package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The old JDK epoll bug: select returns 0 at once, again and again, with nothing ready, no wakeup and no timer due,
 * and the loop burns a core without ever seeing its channels. Injected here as a select that does just that on the
 * reactor's original selector: only a rebuild (every key moved to a new selector) gets the reactor working again.
 */
@Timeout(60)
class SelectorSpinGuardTest {
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

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

    /** A TCP echo and a UDP echo on {@code reactor}; returns their addresses. */
    private static InetSocketAddress[] echoes(Reactor reactor) throws Exception {
        InetSocketAddress tcp = (InetSocketAddress) reactor.listen("echo", ANY, Limits.DEFAULTS, () -> Connection::send)
                .get(10, TimeUnit.SECONDS).address();
        InetSocketAddress udp = reactor.bindUdp("udp-echo", ANY, UdpLimits.DEFAULTS,
                (socket, from, data) -> socket.send(from, data)).get(10, TimeUnit.SECONDS).localAddress();
        return new InetSocketAddress[] {tcp, udp};
    }

    private static void assertServes(InetSocketAddress[] at) throws Exception {
        try (Socket s = Loopback.connect(at[0])) {
            s.getOutputStream().write("rebuilt".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertThat(new String(in.readNBytes(7), StandardCharsets.US_ASCII)).isEqualTo("rebuilt");
        }
        try (var udp = Loopback.udp()) {
            assertThat(Loopback.ask(udp, at[1], "ping".getBytes(StandardCharsets.US_ASCII))).isEqualTo("ping".getBytes());
        }
    }

    private static void stop(Reactor reactor) throws InterruptedException {
        reactor.stop();
        assertThat(reactor.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void aSpinningSelectorIsRebuiltAndTheReactorServesAgain() throws Exception {
        BrokenEpoll epoll = new BrokenEpoll();
        Reactor reactor = Reactor.builder().name("spin").selectCall(epoll).spinThreshold(64).build();
        reactor.start();
        try {
            InetSocketAddress[] at = echoes(reactor);
            Eventually.until(() -> reactor.stats().selectorRebuilds() >= 1,
                    () -> "a rebuild; spurious returns so far " + epoll.spurious.get());
            long spuriousAtRebuild = epoll.spurious.get();
            assertThat(spuriousAtRebuild).isGreaterThanOrEqualTo(64);

            assertServes(at);
            assertThat(epoll.spurious.get()).as("the broken selector is no longer used").isEqualTo(spuriousAtRebuild);
            assertThat(reactor.stats().selectorRebuilds()).isEqualTo(1);
        } finally {
            stop(reactor);
        }
    }

    @Test
    void whenNoNewSelectorCanBeOpenedTheLoopKeepsTheOldOneAndTriesAgain() throws Exception {
        BrokenEpoll epoll = new BrokenEpoll();
        AtomicInteger opens = new AtomicInteger();
        // The first open is the reactor's own; the next three fail as they would out of descriptors (EMFILE).
        Reactor.SelectorOpener failingThrice = () -> {
            int n = opens.incrementAndGet();
            if (n >= 2 && n <= 4) {
                throw new IOException("Too many open files");
            }
            return Selector.open();
        };
        Reactor reactor = Reactor.builder().name("spin-emfile").selectCall(epoll).selectorOpener(failingThrice)
                .spinThreshold(64).build();
        reactor.start();
        try {
            InetSocketAddress[] at = echoes(reactor);
            Eventually.until(() -> reactor.stats().selectorRebuilds() >= 1,
                    () -> "a rebuild after three failures; opens so far " + opens.get());
            assertThat(reactor.isRunning()).as("the loop survived the failed rebuilds").isTrue();
            assertThat(reactor.stats().selectorRebuildFailures()).isEqualTo(3);
            assertThat(reactor.stats().handlerErrors()).isZero();
            assertServes(at);
        } finally {
            stop(reactor);
        }
    }

    @Test
    void aUdpEchoAnswersWholeDatagrams() throws Exception {
        Reactor reactor = Reactor.builder().name("udp").build();
        reactor.start();
        try {
            InetSocketAddress[] at = echoes(reactor);
            byte[] big = new byte[UdpSocket.MAX_DATAGRAM];
            java.util.Arrays.fill(big, (byte) 'x');
            try (var udp = Loopback.udp()) {
                assertThat(Loopback.ask(udp, at[1], big)).hasSize(UdpSocket.MAX_DATAGRAM);
            }
        } finally {
            stop(reactor);
        }
    }
}
