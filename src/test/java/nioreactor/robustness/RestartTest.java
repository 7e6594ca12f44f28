package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stop and start again on the same ports at once, while the old connections sit in TIME_WAIT on the server's side
 * (the seed's "address already in use"): SO_REUSEADDR makes the second bind succeed.
 */
@Timeout(60)
class RestartTest {
    private static final int CLIENTS = 20;

    @Test
    void restartsOnTheSamePortsWhileOldConnectionsAreInTimeWait() throws Exception {
        assertThat(TcpTable.available()).as("needs /proc/net/tcp (Linux) to see TIME_WAIT").isTrue();
        Server first = Server.start(ServerConfig.builder().ephemeralPorts().build());
        int tcp = first.tcpAddress().getPort();
        int framed = first.framedAddress().getPort();
        int udp = first.udpAddress().getPort();
        List<EchoPeer> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                EchoPeer peer = EchoPeer.connect(first.tcpAddress());
                clients.add(peer);
                peer.send("x".getBytes());
                peer.read(1);
            }
        } finally {
            first.close(); // the server closes first, so TIME_WAIT lands on its side, on its port
        }
        for (EchoPeer peer : clients) {
            assertThat(peer.socket().getInputStream().read()).isEqualTo(-1);
            peer.close();
        }
        Eventually.until(() -> TcpTable.count(tcp, TcpTable.TIME_WAIT) > 0,
                () -> "old connections in TIME_WAIT on port " + tcp);

        Server second = Server.start(ServerConfig.builder().tcpPort(tcp).framedPort(framed).udpPort(udp).build());
        try {
            assertThat(TcpTable.count(tcp, TcpTable.TIME_WAIT)).as("still in TIME_WAIT when rebinding").isPositive();
            assertThat(second.tcpAddress().getPort()).isEqualTo(tcp);
            try (EchoPeer peer = EchoPeer.connect(second.tcpAddress())) {
                peer.send("again".getBytes());
                assertThat(new String(peer.read(5))).isEqualTo("AGAIN");
            }
            try (var udpSocket = Loopback.udp()) {
                assertThat(new String(Loopback.ask(udpSocket, second.udpAddress(), "%Y".getBytes()))).matches("\\d{4}");
            }
        } finally {
            second.close();
        }
    }
}
