package nioreactor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nioreactor.reactor.Limits;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every listener counts its own connections: a flood of echo clients that fills {@code --max-connections} must not
 * lock out {@code /metrics}, which has its own small {@code --metrics-max-connections}, nor the other service.
 */
@Timeout(60)
class MetricsLimitTest {
    private static final int MAX = 5;
    private static final int METRICS_MAX = 2;

    @Test
    void anEchoFloodDoesNotLockOutTheMetricsNorTheOtherService() throws Exception {
        Server server = Server.start(ServerConfig.builder().ephemeralPorts().metricsPort(0)
                .limits(Limits.DEFAULTS.withMaxConnections(MAX)).metricsMaxConnections(METRICS_MAX).build());
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < MAX + 3; i++) {
                flood.add(Loopback.connect(server.tcpAddress()));
            }
            // The echo listener is full: the three extra clients were accepted and closed at once.
            Eventually.until(() -> server.stats().connectionsRejected() == 3, () -> "three echo clients refused");
            assertThat(echo(flood.get(0), "still served")).isEqualTo("STILL SERVED");

            Map<String, Double> samples = scrape(server);
            assertThat(samples.get("nioreactor_connections_rejected_total")).isEqualTo(3.0);

            try (Socket framed = Loopback.connect(server.framedAddress())) {
                framed.getOutputStream().write(new byte[] {0, 0, 0, 2, 'o', 'k'});
                assertThat(framed.getInputStream().readNBytes(6)).containsExactly(0, 0, 0, 2, 'O', 'K');
            }

            // The metrics port's own limit holds too, and does not touch the echo's.
            try (RawHttpClient a = new RawHttpClient(server.metricsAddress());
                 RawHttpClient b = new RawHttpClient(server.metricsAddress())) {
                assertThat(a.send(RawHttpClient.get("/metrics")).read().status()).isEqualTo(200);
                assertThat(b.send(RawHttpClient.get("/metrics")).read().status()).isEqualTo(200);
                try (Socket third = Loopback.connect(server.metricsAddress())) {
                    Loopback.assertEof(third.getInputStream(), "a third metrics connection over its limit of 2");
                }
            }
            assertThat(server.stats().connectionsRejected()).isEqualTo(4);
        } finally {
            for (Socket s : flood) {
                s.close();
            }
            server.close();
        }
    }

    private static String echo(Socket s, String line) throws IOException {
        s.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        return new String(in.readNBytes(line.length()), StandardCharsets.US_ASCII);
    }

    private static Map<String, Double> scrape(Server server) throws IOException {
        try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
            RawHttpClient.Response r = http.send(RawHttpClient.get("/metrics")).read();
            assertThat(r.status()).isEqualTo(200);
            return PrometheusText.parse(r.body());
        }
    }
}
