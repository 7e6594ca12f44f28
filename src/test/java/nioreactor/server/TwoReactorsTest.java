package nioreactor.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import nioreactor.reactor.Reactor;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The integrity and half-close tests again, on a server with {@code --reactors 2}, in each accept mode: every
 * connection lives on one of two reactors, and nothing the tests check may change because of that.
 */
class TwoReactorsTest {

    /** Both reactors serve: hand-off splits 40 held connections exactly, the kernel's hash roughly. */
    @ParameterizedTest
    @EnumSource(AcceptMode.class)
    void connectionsAreSpreadOverBothReactorsAndEachLivesOnOne(AcceptMode mode) throws Exception {
        try (Server server = Server.start(ServerConfig.builder().ephemeralPorts().udpPort(-1).reactors(2)
                .acceptMode(mode).build())) {
            assertThat(server.reactors()).extracting(Reactor::name).containsExactly("reactor-0", "reactor-1");
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) {
                    Socket s = Loopback.connect(i % 2 == 0 ? server.tcpAddress() : server.framedAddress());
                    held.add(s);
                }
                Eventually.until(() -> server.stats().connectionsActive() == 40, () -> "40 accepted");
                long on0 = server.reactors().get(0).stats().connectionsActive();
                long on1 = server.reactors().get(1).stats().connectionsActive();
                if (mode == AcceptMode.HANDOFF) {
                    assertThat(on0).as("least connections, per listener").isEqualTo(20);
                    assertThat(server.reactors().get(0).stats().connectionsHandedOff()).isEqualTo(40);
                } else {
                    assertThat(Math.min(on0, on1)).as("kernel hash: %d / %d", on0, on1).isGreaterThan(5);
                }
                assertThat(on0 + on1).isEqualTo(40);
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    /** The TLS port is spread too: each reactor makes its own TLS buffers for the connections it is given. */
    @ParameterizedTest
    @EnumSource(AcceptMode.class)
    void theTlsPortIsServedOnBothReactors(AcceptMode mode, @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        nioreactor.testing.TestCerts certs = nioreactor.testing.TestCerts.create(dir);
        try (Server server = Server.start(ServerConfig.builder().ephemeralPorts().udpPort(-1).framedPort(-1)
                .tlsTcpPort(0).tls(nioreactor.reactor.TlsContext.server(certs.serverContext()).build())
                .reactors(2).acceptMode(mode).build())) {
            List<javax.net.ssl.SSLSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    javax.net.ssl.SSLSocket s = certs.connect(server.tlsTcpAddress(), false);
                    held.add(s);
                    s.getOutputStream().write(("tls " + i + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    byte[] back = s.getInputStream().readNBytes(("tls " + i + "\n").length());
                    assertThat(new String(back, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("TLS " + i + "\n");
                }
                long on0 = server.reactors().get(0).stats().connectionsActive();
                long on1 = server.reactors().get(1).stats().connectionsActive();
                assertThat(on0 + on1).isEqualTo(8);
                if (mode == AcceptMode.HANDOFF) {
                    assertThat(on1).isEqualTo(4);
                }
            } finally {
                for (javax.net.ssl.SSLSocket s : held) {
                    s.close();
                }
            }
        }
    }

    @Nested
    class EchoLoadHandOff extends EchoLoadTest {
        @Override
        ServerConfig.Builder config() {
            return ServerConfig.builder().reactors(2).acceptMode(AcceptMode.HANDOFF);
        }
    }

    @Nested
    class EchoLoadReusePort extends EchoLoadTest {
        @Override
        ServerConfig.Builder config() {
            return ServerConfig.builder().reactors(2).acceptMode(AcceptMode.REUSEPORT);
        }
    }

    @Nested
    class HalfCloseHandOff extends HalfCloseTest {
        @Override
        ServerConfig.Builder config() {
            return ServerConfig.builder().reactors(2).acceptMode(AcceptMode.HANDOFF);
        }
    }

    @Nested
    class HalfCloseReusePort extends HalfCloseTest {
        @Override
        ServerConfig.Builder config() {
            return ServerConfig.builder().reactors(2).acceptMode(AcceptMode.REUSEPORT);
        }
    }
}
