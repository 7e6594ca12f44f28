package nioreactor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Loopback;
import nioreactor.testing.ProxyHeaders;
import org.junit.jupiter.api.Test;

/** {@code GET /health} for load balancers, and the service ports behind the PROXY protocol, on a whole server. */
class HealthTest {

    @Test
    void healthIsOkUntilTheServerDrainsThen503WhileEverythingStillWorks() throws Exception {
        try (Server server = Server.start(ServerConfig.builder().ephemeralPorts().udpPort(-1).framedPort(-1)
                .metricsPort(0).shutdownTimeout(Duration.ofSeconds(5)).build())) {
            try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
                RawHttpClient.Response ok = http.send(RawHttpClient.get("/health")).read();
                assertThat(ok.status()).isEqualTo(200);
                assertThat(ok.body()).isEqualTo("ok\n");
                server.drain();
                RawHttpClient.Response draining = http.send(RawHttpClient.get("/health")).read();
                assertThat(draining.status()).isEqualTo(503);
                assertThat(draining.body()).isEqualTo("draining\n");
                assertThat(http.send("HEAD /health HTTP/1.1\r\nHost: test\r\n\r\n").read(true).status()).isEqualTo(503);
                assertThat(http.send(RawHttpClient.get("/metrics")).read().status()).isEqualTo(200);
            }
            // Draining is not closing: the service port still accepts and answers.
            try (Socket s = Loopback.connect(server.tcpAddress())) {
                s.getOutputStream().write("still here\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(s.getInputStream().readNBytes(11), StandardCharsets.US_ASCII))
                        .isEqualTo("STILL HERE\n");
            }
        }
    }

    @Test
    void behindTheProxyProtocolTheServicesSeeTheRealClientAndTheMetricsPortNeedsNoHeader() throws Exception {
        InetSocketAddress client = new InetSocketAddress("203.0.113.50", 61000);
        InetSocketAddress front = new InetSocketAddress("203.0.113.1", 7000);
        try (Server server = Server.start(ServerConfig.builder().ephemeralPorts().udpPort(-1).framedPort(-1)
                .metricsPort(0).chatPort(0).proxyProtocol(true).build())) {
            try (Socket s = Loopback.connect(server.tcpAddress())) {
                s.getOutputStream().write(ProxyHeaders.v2(client, front, 0));
                s.getOutputStream().write("abc\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ABC\n");
            }
            try (Socket s = Loopback.connect(server.chatAddress())) {
                s.getOutputStream().write(ProxyHeaders.v1(client, front));
                s.getOutputStream().write("/who\n".getBytes(StandardCharsets.US_ASCII));
                var lines = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                assertThat(lines.readLine()).startsWith("* you are #");
                assertThat(lines.readLine()).endsWith(" 203.0.113.50:61000 (you)");
            }
            try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
                RawHttpClient.Response r = http.send(RawHttpClient.get("/metrics")).read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).contains("nioreactor_proxy_headers_total 2");
            }
        }
    }
}
