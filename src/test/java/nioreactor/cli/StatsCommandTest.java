package nioreactor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import nioreactor.client.RunningServer;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(30)
class StatsCommandTest {
    @RegisterExtension
    static final RunningServer server = new RunningServer();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int stats(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "stats";
        System.arraycopy(args, 0, all, 1, args.length);
        return Main.run(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), all);
    }

    @Test
    void printsTheServersCountersAsATable() {
        try (Server server = Server.start(ServerConfig.builder().ephemeralPorts().metricsPort(0)
                .reactorName("stats-test").build())) {
            int port = server.metricsAddress().getPort();
            assertThat(stats("--host", "127.0.0.1", "--port", String.valueOf(port))).isZero();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("nioreactor metrics from http://127.0.0.1:")
                .containsPattern("connections accepted\\s+\\d+")
                .containsPattern("connections closed \\(peer-eof\\)\\s+\\d+")
                .contains("bytes read", "datagrams in", "empty selects", "selector rebuilds", "backpressure pauses")
                .containsPattern("loop iteration work time: [\\d,]+ iterations, mean [\\d.]+ us")
                .contains("<= 10 us", "<= 100 ms", "longer");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void withAnIntervalEveryCounterGetsItsRatePerSecond() throws Exception {
        try (Server server = Server.start(ServerConfig.builder().ephemeralPorts().metricsPort(0)
                .selectStrategy(nioreactor.reactor.SelectStrategy.SPIN).reactorName("stats-rates").build())) {
            int port = server.metricsAddress().getPort();
            assertThat(stats("--port", String.valueOf(port), "--interval", "300ms")).isZero();
        }
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(table).containsPattern("METRIC\\s+VALUE\\s+PER SECOND")
                // a spinning reactor polls many thousand times a second, and never blocks
                .containsPattern("select spins\\s+[\\d,]+\\s+[1-9][\\d,]{4,}\\.\\d")
                .containsPattern("select blocks\\s+0\\s+0\\.0")
                .containsPattern("connections active\\s+\\d+\\s*\\n"); // a gauge has no rate
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void anUnreachableServerIsOneLineAndExitOne() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        assertThat(stats("--port", String.valueOf(port))).isEqualTo(1);
        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(message).startsWith("stats: cannot read http://127.0.0.1:" + port + "/metrics: ");
        assertThat(message.strip().lines()).hasSize(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    /** The upper-echo port sends our request back: an answer, but not HTTP. */
    @Test
    void aPortThatAnswersSomethingElseIsNoHttpAnswer() {
        int port = server.tcp().getPort();
        assertThat(stats("--port", String.valueOf(port), "--timeout", "10s")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("stats: cannot read http://127.0.0.1:" + port
                + "/metrics: no HTTP answer: the port answered something else (is " + port
                + " the port given to serve --metrics?)\n");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    /** The framed port reads "GET " as a frame length far over its maximum and closes: no answer at all. */
    @Test
    void aPortThatClosesWithoutAnsweringIsNoHttpAnswer() {
        int port = server.framed().getPort();
        assertThat(stats("--port", String.valueOf(port), "--timeout", "10s")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("stats: cannot read http://127.0.0.1:" + port
                + "/metrics: no HTTP answer: the connection was closed without one (is " + port
                + " the port given to serve --metrics?)\n");
    }

    @Test
    void anHttpServerWithoutTheMetricsIsNotAMetricsEndpoint() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        http.start();
        try {
            int port = http.getAddress().getPort();
            assertThat(stats("--port", String.valueOf(port), "--timeout", "10s")).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("stats: cannot read http://127.0.0.1:" + port
                    + "/metrics: not a metrics endpoint: it answered 404 Not Found (is " + port
                    + " the port given to serve --metrics?)\n");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void anHttpAnswerWithoutPrometheusSamplesIsNotAMetricsEndpoint() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            byte[] page = "<html><body>hello</body></html>".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        http.start();
        try {
            int port = http.getAddress().getPort();
            assertThat(stats("--port", String.valueOf(port), "--timeout", "10s")).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("stats: cannot read http://127.0.0.1:" + port
                    + "/metrics: not a metrics endpoint: an HTTP answer without nioreactor's Prometheus samples (is "
                    + port + " the port given to serve --metrics?)\n");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void thePortIsRequired() {
        assertThat(stats()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--port");
    }
}
