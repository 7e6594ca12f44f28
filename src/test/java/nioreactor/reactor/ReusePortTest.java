package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SO_REUSEPORT: several reactors each bind the same port, and the kernel spreads the connections over them. */
class ReusePortTest {
    private final List<Reactor> reactors = new ArrayList<>();

    @BeforeEach
    void start() {
        for (int i = 0; i < 2; i++) {
            Reactor r = Reactor.builder().name("reactor-" + i).build();
            r.start();
            reactors.add(r);
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Reactor r : reactors) {
            r.stop();
            assertThat(r.awaitTermination(Duration.ofSeconds(30))).isTrue();
        }
    }

    private Listener listen(Reactor r, int port, ListenOptions options) throws Exception {
        try {
            return r.listen("echo", new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Limits.DEFAULTS,
                    options, home -> (c, d) -> c.send(d)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void twoReactorsShareOnePortAndBothGetConnections() throws Exception {
        ListenOptions reuse = ListenOptions.DEFAULTS.withReusePort();
        Listener first = listen(reactors.get(0), 0, reuse);
        int port = ((InetSocketAddress) first.address()).getPort();
        Listener second = listen(reactors.get(1), port, reuse);
        assertThat(((InetSocketAddress) second.address()).getPort()).isEqualTo(port);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = Loopback.connect((InetSocketAddress) first.address());
                sockets.add(s);
                HandOffTest.echoOnce(s);
            }
            long on0 = reactors.get(0).stats().connectionsAccepted();
            long on1 = reactors.get(1).stats().connectionsAccepted();
            assertThat(on0 + on1).isEqualTo(200);
            // The kernel hashes the 4-tuple: not exact, but 200 connections all on one side would mean no spreading.
            assertThat(Math.min(on0, on1)).as("the smaller share of 200 (%d / %d)", on0, on1).isGreaterThan(40);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void withoutTheOptionOnBothTheSecondBindFails() throws Exception {
        Listener plain = listen(reactors.get(0), 0, ListenOptions.DEFAULTS);
        int port = ((InetSocketAddress) plain.address()).getPort();
        assertThatThrownBy(() -> listen(reactors.get(1), port, ListenOptions.DEFAULTS.withReusePort()))
                .isInstanceOf(BindException.class);
        Listener reuse = listen(reactors.get(1), 0, ListenOptions.DEFAULTS.withReusePort());
        int reusePort = ((InetSocketAddress) reuse.address()).getPort();
        assertThatThrownBy(() -> listen(reactors.get(0), reusePort, ListenOptions.DEFAULTS))
                .isInstanceOf(BindException.class);
    }
}
