package nioreactor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Limits;
import nioreactor.reactor.ReactorStats;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code serve --metrics}: the HTTP endpoint on the reactor, scraped and parsed, abused, and the JMX twin. */
@Timeout(30)
class MetricsEndpointTest {
    private static final String REACTOR = "metrics-test";
    private Server server;

    @BeforeEach
    void start() throws IOException {
        server = Server.start(ServerConfig.builder().ephemeralPorts().metricsPort(0).reactorName(REACTOR).build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Map<String, Double> scrape() throws IOException {
        try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
            RawHttpClient.Response r = http.send(RawHttpClient.get("/metrics")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            return PrometheusText.parse(r.body());
        }
    }

    /** Scrapes until {@code done} holds: closes are counted when the reactor gets to them, not when the client returns. */
    private Map<String, Double> scrapeUntil(Predicate<Map<String, Double>> done) throws Exception {
        Map<String, Double> m = scrape();
        while (!done.test(m)) {
            Thread.sleep(10);
            m = scrape();
        }
        return m;
    }

    private static double value(Map<String, Double> m, String sample) {
        assertThat(m).containsKey(sample);
        return m.get(sample);
    }

    @Test
    void countersMoveAfterTrafficOnEveryService() throws Exception {
        Map<String, Double> before = scrape();
        try (Socket tcp = Loopback.connect(server.tcpAddress())) {
            tcp.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            new DataInputStream(tcp.getInputStream()).readFully(new byte[5]);
        }
        try (Socket framed = Loopback.connect(server.framedAddress())) {
            framed.getOutputStream().write(ByteBuffer.allocate(7).putInt(3).put("abc".getBytes(StandardCharsets.US_ASCII)).array());
            new DataInputStream(framed.getInputStream()).readFully(new byte[7]);
        }
        try (DatagramSocket udp = Loopback.udp()) {
            udp.send(new DatagramPacket(new byte[0], 0, server.udpAddress()));
            udp.receive(new DatagramPacket(new byte[256], 256));
            byte[] bad = {(byte) 0xff, (byte) 0xfe}; // not UTF-8: answered with ERR
            udp.send(new DatagramPacket(bad, bad.length, server.udpAddress()));
            udp.receive(new DatagramPacket(new byte[256], 256));
        }
        String peerEof = "nioreactor_connections_closed_total{reason=\"peer-eof\"}";
        // the two echo connections and the first scrape's connection have all closed by the time this holds
        Map<String, Double> after = scrapeUntil(m -> m.get(peerEof) >= value(before, peerEof) + 3);

        assertThat(value(after, "nioreactor_connections_accepted_total"))
                .isGreaterThanOrEqualTo(value(before, "nioreactor_connections_accepted_total") + 3);
        assertThat(value(after, "nioreactor_bytes_read_total"))
                .isGreaterThanOrEqualTo(value(before, "nioreactor_bytes_read_total") + 5 + 7);
        assertThat(value(after, "nioreactor_bytes_written_total"))
                .isGreaterThanOrEqualTo(value(before, "nioreactor_bytes_written_total") + 5 + 7);
        assertThat(value(after, "nioreactor_frames_total")).isEqualTo(value(before, "nioreactor_frames_total") + 1);
        assertThat(value(after, "nioreactor_datagrams_in_total")).isEqualTo(value(before, "nioreactor_datagrams_in_total") + 2);
        assertThat(value(after, "nioreactor_datagrams_out_total")).isEqualTo(value(before, "nioreactor_datagrams_out_total") + 2);
        assertThat(value(after, "nioreactor_err_replies_total")).isEqualTo(value(before, "nioreactor_err_replies_total") + 1);
        assertThat(value(after, "nioreactor_selects_total")).isGreaterThan(value(before, "nioreactor_selects_total"));
        assertThat(value(after, "nioreactor_connections_active")).isGreaterThanOrEqualTo(1); // this scrape's own
        assertThat(value(after, "nioreactor_bytes_pending")).isZero();
        for (String s : new String[] {"connections_rejected_total", "accept_pauses_total", "bytes_abandoned_total",
            "datagrams_dropped_total", "empty_selects_total", "selector_rebuilds_total", "backpressure_pauses_total",
            "handler_errors_total", "connections_closed_total{reason=\"idle\"}", "connections_closed_total{reason=\"reset\"}",
            "connections_closed_total{reason=\"limit\"}", "connections_closed_total{reason=\"protocol-error\"}",
            "connections_closed_total{reason=\"shutdown\"}"}) {
            assertThat(after).containsKey(Metric.PREFIX + s);
        }
        assertLoopHistogramIsCumulative(after);
    }

    private static void assertLoopHistogramIsCumulative(Map<String, Double> m) {
        String h = PrometheusText.LOOP_HISTOGRAM;
        double previous = 0;
        for (long bound : nioreactor.reactor.ReactorStats.LOOP_TIME_BOUNDS_MICROS) {
            double bucket = value(m, h + "_bucket{le=\"" + PrometheusText.seconds(bound) + "\"}");
            assertThat(bucket).isGreaterThanOrEqualTo(previous);
            previous = bucket;
        }
        double all = value(m, h + "_bucket{le=\"+Inf\"}");
        assertThat(all).isGreaterThanOrEqualTo(previous).isEqualTo(value(m, h + "_count")).isPositive();
        assertThat(value(m, h + "_sum")).isPositive();
        assertThat(value(m, h + "_bucket{le=\"0.00001\"}")).isNotNull(); // 10 µs, written plainly
    }

    @Test
    void otherPathsGet404AndTheConnectionStaysUsable() throws Exception {
        try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
            assertThat(http.send(RawHttpClient.get("/nope")).read().status()).isEqualTo(404);
            assertThat(http.send(RawHttpClient.get("/")).read().status()).isEqualTo(200); // the dashboard page
            assertThat(http.send(RawHttpClient.get("/metrics/extra")).read().status()).isEqualTo(404);
            assertThat(http.send("POST /metrics HTTP/1.1\r\nHost: t\r\n\r\n").read().status()).isEqualTo(404);
            RawHttpClient.Response ok = http.send(RawHttpClient.get("/metrics?name=x")).read();
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.body()).contains("nioreactor_connections_active");
        }
    }

    @Test
    void keepAliveAndPipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
            http.send(RawHttpClient.get("/metrics") + RawHttpClient.get("/nope") + "HEAD /metrics HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThat(http.read().status()).isEqualTo(200);
            assertThat(http.read().status()).isEqualTo(404);
            RawHttpClient.Response head = http.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(Integer.parseInt(head.header("Content-Length"))).isPositive();
            assertThat(http.send(RawHttpClient.get("/metrics")).read().status()).isEqualTo(200);
        }
    }

    @Test
    void connectionCloseAndHttp10AreHonoured() throws Exception {
        try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
            RawHttpClient.Response r = http.send("GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(http.closedByServer()).isTrue();
        }
        try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
            assertThat(http.send("GET /metrics HTTP/1.0\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "garbage\r\n\r\n",
        "GET /metrics\r\n\r\n",
        "GET metrics HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /metrics HTTP/1.1\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost t\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n",
        "G(T /metrics HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /metrics HTTP/1.1 extra\r\nHost: t\r\n\r\n",
    })
    void malformedRequestsGet400AreClosedAndTheServerKeepsServing(String request) throws Exception {
        try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
            assertThat(http.send(request).read().status()).isEqualTo(400);
            assertThat(http.closedByServer()).isTrue();
        }
        assertThat(scrape()).containsKey("nioreactor_connections_active");
        try (Socket tcp = Loopback.connect(server.tcpAddress())) { // and the other services are unaffected
            tcp.getOutputStream().write('x');
            assertThat(tcp.getInputStream().read()).isEqualTo('X');
        }
    }

    @Test
    void otherHttpVersionsGet505() throws Exception {
        try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
            assertThat(http.send("GET /metrics HTTP/2.0\r\nHost: t\r\n\r\n").read().status()).isEqualTo(505);
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void anOversizedHeadGets431AndIsClosed() throws Exception {
        try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
            String huge = "GET /metrics HTTP/1.1\r\nHost: t\r\nX-Big: " + "a".repeat(MetricsHttp.MAX_HEAD) + "\r\n\r\n";
            assertThat(http.send(huge).read().status()).isEqualTo(431);
            assertThat(http.closedByServer()).isTrue();
        }
        assertThat(scrape()).containsKey("nioreactor_connections_active");
    }

    @Test
    void aRequestSentByteByByteIsAnswered() throws Exception {
        try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
            for (char c : RawHttpClient.get("/metrics").toCharArray()) {
                http.send(String.valueOf(c));
            }
            assertThat(http.read().status()).isEqualTo(200);
        }
    }

    @Test
    void aClientPipeliningWithoutReadingIsClosedNotBuffered() throws Exception {
        Limits small = Limits.DEFAULTS.withWaterMarks(64 * 1024, 16 * 1024);
        int requests = 3000; // ~5 KiB of answer each: far more than the kernel's buffers and the high water mark
        try (Server flooded = Server.start(ServerConfig.builder().ephemeralPorts().metricsPort(0).limits(small)
                .reactorName("metrics-flood").build());
             Socket s = Loopback.connect(flooded.metricsAddress(), 16 * 1024)) {
            byte[] flood = RawHttpClient.get("/metrics").repeat(requests).getBytes(StandardCharsets.ISO_8859_1);
            // the server closes the connection while we are still sending: that is the point
            Thread writer = Loopback.writeInBackground(s, flood, "metrics-flood-writer");
            int answered = 0;
            byte[] marker = "HTTP/1.1 200".getBytes(StandardCharsets.ISO_8859_1);
            int matched = 0;
            try {
                int c;
                while ((c = s.getInputStream().read()) >= 0) { // counts answers until the server hangs up
                    matched = c == marker[matched] ? matched + 1 : (c == marker[0] ? 1 : 0);
                    if (matched == marker.length) {
                        answered++;
                        matched = 0;
                    }
                }
            } catch (java.net.SocketException reset) {
                // closed with our requests unread: a reset is also a hang-up
            }
            writer.join(10_000);
            assertThat(answered).isLessThan(requests);
            ReactorStats after = flooded.stats();
            assertThat(after.closed(CloseReason.PROTOCOL_ERROR)).isEqualTo(1);
            assertThat(after.bytesPending()).isZero();
            try (RawHttpClient http = new RawHttpClient(flooded.metricsAddress())) {
                assertThat(http.send(RawHttpClient.get("/metrics")).read().status()).isEqualTo(200);
            }
        }
    }

    @Test
    void theSameCountersAreReadableOverJmx() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = ourMBean(jmx);
        scrape();
        long accepted = (Long) jmx.getAttribute(name, "ConnectionsAccepted");
        assertThat(accepted).isGreaterThanOrEqualTo(1);
        assertThat((Long) jmx.getAttribute(name, "ConnectionsClosedPeerEof")).isGreaterThanOrEqualTo(0);
        assertThat((Long) jmx.getAttribute(name, "Selects")).isPositive();
        assertThat((Double) jmx.getAttribute(name, "LoopIterationMeanMicros")).isPositive();
        assertThat((String) jmx.getAttribute(name, "LoopIterationBuckets")).startsWith("<=10us:");
        assertThat(jmx.getAttributes(name, new String[] {"BytesRead", "DatagramsIn"}).asList()).hasSize(2);

        server.close();
        assertThat(jmx.isRegistered(name)).isFalse();
    }

    /** Our server's MBean, whichever name it got (other servers in this JVM may hold the plain one). */
    private static ObjectName ourMBean(MBeanServer jmx) throws Exception {
        Set<ObjectName> names = jmx.queryNames(new ObjectName(ReactorJmx.OBJECT_NAME + ",*"), null);
        for (ObjectName n : names) {
            if (jmx.getMBeanInfo(n).getDescription().endsWith(" " + REACTOR)) {
                return n;
            }
        }
        throw new AssertionError("no MBean for " + REACTOR + " among " + names);
    }
}
