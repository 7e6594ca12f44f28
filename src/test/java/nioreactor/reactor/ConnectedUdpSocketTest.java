package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Reactor#connectUdp}: a client's UDP socket connected to one peer, over real loopback sockets. It talks to that
 * peer only, hands the handler the peer's address, refuses to send elsewhere, and survives a peer that is not there.
 */
@Timeout(60)
class ConnectedUdpSocketTest {
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private Reactor reactor;

    /** What the client's handler was given: the sender and the text. */
    private record Received(SocketAddress from, String text) {
    }

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    private final DatagramHandler recorder = (socket, from, data) -> {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        received.add(new Received(from, new String(bytes, StandardCharsets.US_ASCII)));
    };

    @BeforeEach
    void start() {
        reactor = Reactor.builder().name("udp-client").build();
        reactor.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        reactor.stop();
        assertThat(reactor.awaitTermination(Duration.ofSeconds(10))).isTrue();
    }

    private UdpSocket connect(InetSocketAddress remote) throws Exception {
        return reactor.connectUdp("client", remote, UdpLimits.DEFAULTS, recorder).get(10, TimeUnit.SECONDS);
    }

    private boolean send(UdpSocket socket, SocketAddress to, String text) throws Exception {
        ByteBuffer data = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        return reactor.submit(() -> socket.send(to, data)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void talksToItsPeerAndHandsTheHandlerThePeersAddress() throws Exception {
        InetSocketAddress echo = reactor.bindUdp("echo", ANY, UdpLimits.DEFAULTS,
                (socket, from, data) -> socket.send(from, data)).get(10, TimeUnit.SECONDS).localAddress();
        UdpSocket client = connect(echo);
        assertThat(client.remoteAddress()).isEqualTo(echo);
        assertThat(client.localAddress().getPort()).isPositive();
        assertThat(client.toString()).contains("connected to");

        assertThat(send(client, null, "first")).isTrue();
        assertThat(send(client, echo, "second")).isTrue();
        Received one = received.poll(10, TimeUnit.SECONDS);
        Received two = received.poll(10, TimeUnit.SECONDS);
        assertThat(one).isEqualTo(new Received(echo, "first"));
        assertThat(two).isEqualTo(new Received(echo, "second"));
    }

    @Test
    void refusesToSendAnywhereElse() throws Exception {
        try (DatagramSocket peer = Loopback.udp(); DatagramSocket other = Loopback.udp()) {
            UdpSocket client = connect((InetSocketAddress) peer.getLocalSocketAddress());
            SocketAddress elsewhere = other.getLocalSocketAddress();
            assertThatThrownBy(() -> send(client, elsewhere, "nope"))
                    .hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("connected to");
        }
    }

    @Test
    void ignoresDatagramsFromOtherSenders() throws Exception {
        try (DatagramSocket peer = Loopback.udp(); DatagramSocket stranger = Loopback.udp()) {
            UdpSocket client = connect((InetSocketAddress) peer.getLocalSocketAddress());
            byte[] text = "stranger".getBytes(StandardCharsets.US_ASCII);
            stranger.send(new DatagramPacket(text, text.length, client.localAddress()));
            byte[] reply = "peer".getBytes(StandardCharsets.US_ASCII);
            peer.send(new DatagramPacket(reply, reply.length, client.localAddress()));
            // Sent after the stranger's: once the peer's has arrived, the stranger's would have too.
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(
                    new Received(peer.getLocalSocketAddress(), "peer"));
            assertThat(received.poll(200, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void survivesAPeerThatIsNotThere() throws Exception {
        InetSocketAddress gone;
        try (DatagramSocket s = Loopback.udp()) {
            gone = (InetSocketAddress) s.getLocalSocketAddress();
        }
        UdpSocket client = connect(gone);
        // The first send goes out; the ICMP port unreachable it provokes fails a later read or write. Neither may
        // break the socket or the reactor.
        for (int i = 0; i < 5; i++) {
            send(client, null, "anyone?");
            Thread.sleep(20);
        }
        assertThat(received).isEmpty();
        assertThat(reactor.isRunning()).isTrue();
        InetSocketAddress echo = reactor.bindUdp("echo", ANY, UdpLimits.DEFAULTS,
                (socket, from, data) -> socket.send(from, data)).get(10, TimeUnit.SECONDS).localAddress();
        UdpSocket again = connect(echo);
        assertThat(send(again, null, "still here")).isTrue();
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(new Received(echo, "still here"));
        assertThat(reactor.stats().handlerErrors()).isZero();
    }
}
