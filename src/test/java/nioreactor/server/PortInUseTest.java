package nioreactor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A second server must never share a port with a live one. The bug this pins down: SO_REUSEADDR on the time
 * service's UDP socket let a second {@code serve} bind 8080 beside the first and silently answer its clients.
 */
@Timeout(60)
class PortInUseTest {

    @Test
    void aSecondServerCannotBindTheTimePortAndSaysWhich() throws Exception {
        try (Server first = Server.start(ServerConfig.builder().ephemeralPorts().build())) {
            int udp = first.udpAddress().getPort();
            assertThatThrownBy(() -> Server.start(ServerConfig.builder().ephemeralPorts().udpPort(udp).build()))
                    .isInstanceOfSatisfying(ServiceBindException.class, e -> {
                        assertThat(e.service()).isEqualTo("time");
                        assertThat(e.protocol()).isEqualTo("udp");
                        assertThat(e.address().getPort()).isEqualTo(udp);
                        assertThat(e.getMessage()).startsWith("cannot bind time to udp 127.0.0.1:" + udp + ": ");
                    });
            // The first one still answers its own clients.
            try (var client = Loopback.udp()) {
                assertThat(Loopback.ask(client, first.udpAddress(), "%Y".getBytes())).hasSize(4);
            }
        }
    }

    @Test
    void theTimeServiceCannotBindAPortAnotherProcessHolds() throws Exception {
        try (DatagramSocket holder = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = holder.getLocalPort();
            assertThatThrownBy(() -> Server.start(ServerConfig.builder().ephemeralPorts().udpPort(port).build()))
                    .isInstanceOf(ServiceBindException.class);
        }
    }

    @Test
    void aSecondServerCannotBindATcpPortInUse() throws Exception {
        try (Server first = Server.start(ServerConfig.builder().ephemeralPorts().build())) {
            int tcp = first.tcpAddress().getPort();
            assertThatThrownBy(() -> Server.start(ServerConfig.builder().ephemeralPorts().tcpPort(tcp).build()))
                    .isInstanceOfSatisfying(ServiceBindException.class, e ->
                            assertThat(e.getMessage()).startsWith("cannot bind upper-echo to tcp 127.0.0.1:" + tcp));
        }
    }

    @Test
    void freePortsPickedWithZeroAreNeverShared() throws Exception {
        try (Server a = Server.start(ServerConfig.builder().ephemeralPorts().metricsPort(0).build());
             Server b = Server.start(ServerConfig.builder().ephemeralPorts().metricsPort(0).build())) {
            Set<Integer> tcp = new HashSet<>();
            for (Server s : List.of(a, b)) {
                tcp.add(s.tcpAddress().getPort());
                tcp.add(s.framedAddress().getPort());
                tcp.add(s.metricsAddress().getPort());
            }
            assertThat(tcp).as("six TCP listeners, six ports").hasSize(6);
            assertThat(a.udpAddress().getPort()).isNotEqualTo(b.udpAddress().getPort());
        }
    }
}
