package nioreactor.reactor;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static nioreactor.reactor.RecordingHandler.WAIT_SECONDS;
import static nioreactor.reactor.RecordingHandler.pattern;
import static nioreactor.reactor.RecordingHandler.started;
import static nioreactor.reactor.RecordingHandler.stop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Reactor#bindUdp} and {@link UdpSocket}: whole datagrams up to {@link UdpSocket#MAX_DATAGRAM}, a handler's
 * failure costs one datagram, a port already held cannot be bound (SO_REUSEADDR stays off), close from any thread.
 */
@Timeout(60)
class UdpSocketTest {
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private Reactor reactor;

    @BeforeEach
    void start() {
        reactor = started("udp");
    }

    @AfterEach
    void end() throws InterruptedException {
        stop(reactor);
    }

    private UdpSocket echo(InetSocketAddress at) throws Exception {
        return reactor.bindUdp("udp-echo", at, UdpLimits.DEFAULTS, (socket, from, data) -> socket.send(from, data))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void echoesWholeDatagramsUpToTheLargestIpv4Payload() throws Exception {
        UdpSocket socket = echo(ANY);
        assertThat(socket.service()).isEqualTo("udp-echo");
        assertThat(socket.reactor()).isSameAs(reactor);
        assertThat(socket.localAddress().getPort()).isPositive();
        int[] sizes = {0, 1, 1024, 8192, 65_536 - 1024, UdpSocket.MAX_DATAGRAM};
        try (DatagramSocket client = Loopback.udp()) {
            for (int size : sizes) {
                byte[] request = pattern(size, size);
                assertThat(Loopback.ask(client, socket.localAddress(), request)).as(size + " bytes")
                        .isEqualTo(request);
            }
        }
        ReactorStats stats = reactor.stats();
        assertThat(stats.datagramsIn()).isEqualTo(sizes.length);
        assertThat(stats.datagramsOut()).isEqualTo(sizes.length);
        assertThat(stats.datagramsDropped()).isZero();
    }

    @Test
    void aHandlerThatThrowsDropsThatDatagramOnly() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        UdpSocket socket = reactor.bindUdp("picky", ANY, UdpLimits.DEFAULTS, (s, from, data) -> {
            byte[] b = new byte[data.remaining()];
            data.duplicate().get(b);
            seen.add(new String(b, US_ASCII));
            if (b.length > 0 && b[0] == 'X') {
                throw new IllegalStateException("a datagram this handler cannot take");
            }
            s.send(from, data);
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        try (DatagramSocket client = Loopback.udp()) {
            client.send(new java.net.DatagramPacket("X-bad".getBytes(US_ASCII), 5, socket.localAddress()));
            // The first reply is the good datagram's: the bad one got none, and the socket went on.
            assertThat(Loopback.ask(client, socket.localAddress(), "good".getBytes(US_ASCII)))
                    .isEqualTo("good".getBytes(US_ASCII));
        }
        assertThat(seen).containsExactly("X-bad", "good");
        ReactorStats stats = reactor.stats();
        assertThat(stats.datagramsDropped()).isEqualTo(1);
        assertThat(stats.handlerErrors()).isEqualTo(1);
        assertThat(stats.datagramsIn()).isEqualTo(2);
        assertThat(stats.datagramsOut()).isEqualTo(1);
        assertThat(reactor.isRunning()).isTrue();
    }

    @Test
    void aPortHeldByAPlainDatagramSocketCannotBeBound() throws Exception {
        // The issue: "a second server silently takes over UDP 8080". With SO_REUSEADDR on both sides Linux would let
        // both bind; the plain DatagramSocket has it off, and so must we.
        try (DatagramSocket holder = new DatagramSocket(ANY)) {
            InetSocketAddress taken = new InetSocketAddress(InetAddress.getLoopbackAddress(), holder.getLocalPort());
            assertThatThrownBy(() -> echo(taken)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(BindException.class);
        }
        assertThat(reactor.isRunning()).isTrue();
    }

    @Test
    void aSecondBindUdpOnTheSamePortFails() throws Exception {
        UdpSocket first = echo(ANY);
        Reactor second = started("udp-second");
        try {
            assertThatThrownBy(() -> second.bindUdp("again", first.localAddress(), UdpLimits.DEFAULTS,
                    (s, from, data) -> { }).get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(BindException.class);
            // Nor on the same reactor.
            assertThatThrownBy(() -> echo(first.localAddress())).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(BindException.class);
            // The first still answers all of it.
            try (DatagramSocket client = Loopback.udp()) {
                for (int i = 0; i < 20; i++) {
                    byte[] b = ("n" + i).getBytes(US_ASCII);
                    assertThat(Loopback.ask(client, first.localAddress(), b)).isEqualTo(b);
                }
            }
        } finally {
            stop(second);
        }
    }

    @Test
    void closeFromAnotherThreadReleasesThePort() throws Exception {
        UdpSocket socket = echo(ANY);
        InetSocketAddress at = socket.localAddress();
        try (DatagramSocket client = Loopback.udp()) {
            assertThat(Loopback.ask(client, at, "up".getBytes(US_ASCII))).isEqualTo("up".getBytes(US_ASCII));
        }
        socket.close(); // the test thread: handed to the reactor
        socket.close(); // twice is harmless
        Eventually.until(() -> canBind(at), () -> at + " released");
        assertThat(reactor.stats().handlerErrors()).isZero();
        assertThat(reactor.isRunning()).isTrue();
    }

    private static boolean canBind(InetSocketAddress at) {
        try (DatagramSocket s = new DatagramSocket(at)) {
            return true;
        } catch (SocketException e) {
            return false;
        }
    }
}
