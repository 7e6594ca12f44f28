package nioreactor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;
import nioreactor.server.AcceptMode;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;

/** {@code /metrics}, {@code stats} and JMX of a server with {@code --reactors 2}: per reactor, and in total. */
class MultiReactorMetricsTest {

    @Test
    void everySeriesPerReactorAndInTotalAnsweredWithoutBlockingTheLoop() throws Exception {
        try (Server server = Server.start(ServerConfig.builder().ephemeralPorts().udpPort(-1).metricsPort(0)
                .reactors(2).acceptMode(AcceptMode.HANDOFF).build())) {
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    held.add(Loopback.connect(server.tcpAddress()));
                }
                Eventually.until(() -> server.stats().connectionsAccepted() == 6, () -> "6 accepted");
                try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
                    // Pipelined: the second answer waits for the first, gathered from both reactors.
                    http.send(RawHttpClient.get("/metrics") + RawHttpClient.get("/health") + RawHttpClient.get("/metrics"));
                    RawHttpClient.Response first = http.read();
                    assertThat(http.read().body()).isEqualTo("ok\n");
                    RawHttpClient.Response third = http.read();
                    for (RawHttpClient.Response r : List.of(first, third)) {
                        assertThat(r.status()).isEqualTo(200);
                        Map<String, Double> samples = PrometheusText.parse(r.body());
                        double on0 = samples.get("nioreactor_connections_accepted_total{reactor=\"reactor-0\"}");
                        double on1 = samples.get("nioreactor_connections_accepted_total{reactor=\"reactor-1\"}");
                        // the metrics connection itself is accepted on reactor-0 too
                        assertThat(samples.get("nioreactor_connections_accepted_total")).isEqualTo(on0 + on1);
                        assertThat(on1).isEqualTo(3);
                        assertThat(samples.get("nioreactor_connections_handed_off_total{reactor=\"reactor-0\"}"))
                                .isEqualTo(6);
                        assertThat(samples).containsKey("nioreactor_frames_total{reactor=\"reactor-1\"}");
                        assertThat(samples).containsKey(
                                "nioreactor_loop_iteration_seconds_bucket{le=\"+Inf\",reactor=\"reactor-1\"}");
                        assertThat(samples.get("nioreactor_loop_iteration_seconds_count")).isEqualTo(
                                samples.get("nioreactor_loop_iteration_seconds_count{reactor=\"reactor-0\"}")
                                        + samples.get("nioreactor_loop_iteration_seconds_count{reactor=\"reactor-1\"}"));
                    }
                    String table = MetricsTable.format(PrometheusText.parse(first.body()));
                    assertThat(table.lines().findFirst().orElseThrow())
                            .contains("TOTAL").contains("REACTOR-0").contains("REACTOR-1");
                    assertThat(table).containsPattern("connections handed off +6 +6 +0");
                }
                // JMX: one MBean per reactor, the first under the plain name.
                var mbeans = ManagementFactory.getPlatformMBeanServer();
                assertThat(mbeans.queryNames(new ObjectName("nioreactor:type=Reactor,*"), null).stream()
                        .map(ObjectName::toString)).anyMatch(n -> n.contains("reactor-1"));
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }
}
