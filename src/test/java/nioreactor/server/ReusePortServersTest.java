package nioreactor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code --reuse-port}: two servers (as two processes would) share the TCP and UDP ports; without it, they cannot. */
class ReusePortServersTest {

    @Test
    void withReusePortTwoServersBindTheSamePorts() throws Exception {
        ServerConfig first = ServerConfig.builder().ephemeralPorts().framedPort(-1).reusePort(true).build();
        try (Server a = Server.start(first)) {
            ServerConfig same = first.toBuilder().tcpPort(a.tcpAddress().getPort()).udpPort(a.udpAddress().getPort())
                    .build();
            try (Server b = Server.start(same)) {
                assertThat(b.tcpAddress()).isEqualTo(a.tcpAddress());
                assertThat(b.udpAddress()).isEqualTo(a.udpAddress());
            }
        }
    }

    @Test
    void withoutItTheSecondFailsNamingTheServiceAndPortTcpAndUdpAlike() throws Exception {
        try (Server a = Server.start(ServerConfig.builder().ephemeralPorts().framedPort(-1).reusePort(true).build())) {
            assertThatThrownBy(() -> Server.start(ServerConfig.builder().ephemeralPorts().framedPort(-1).udpPort(-1)
                    .tcpPort(a.tcpAddress().getPort()).build()))
                    .isInstanceOfSatisfying(ServiceBindException.class, e -> {
                        assertThat(e.service()).isEqualTo("upper-echo");
                        assertThat(e.address().getPort()).isEqualTo(a.tcpAddress().getPort());
                    });
            assertThatThrownBy(() -> Server.start(ServerConfig.builder().ephemeralPorts().framedPort(-1).tcpPort(-1)
                    .udpPort(a.udpAddress().getPort()).build()))
                    .isInstanceOfSatisfying(ServiceBindException.class, e -> assertThat(e.service()).isEqualTo("time"));
        }
    }
}
