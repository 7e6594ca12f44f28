package nioreactor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nioreactor.reactor.ConnectionInfo;
import nioreactor.reactor.Reactor;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The dashboard's page and feed on the metrics port, over real loopback sockets. */
@Timeout(90)
class DashboardFeedTest {
    private Server server;

    @BeforeEach
    void start() throws IOException {
        server = Server.start(ServerConfig.builder().ephemeralPorts().metricsPort(0).dashboardMaxClients(2)
                .reactorName("dash-test").build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Reactor reactor() {
        return server.reactor();
    }

    private int taps() throws Exception {
        return reactor().submit(reactor()::traceTapCount).get();
    }

    @Test
    void thePageIsOneSelfContainedHtmlFileWithoutCors() throws IOException {
        try (RawHttpClient http = new RawHttpClient(server.metricsAddress())) {
            RawHttpClient.Response r = http.send(RawHttpClient.get("/")).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
            assertThat(r.header("Content-Security-Policy")).contains("default-src 'none'").contains("connect-src 'self'");
            assertThat(r.headers().keySet()).noneMatch(h -> h.startsWith("access-control"));
            assertThat(r.body()).contains("<html").contains("/events")
                    .doesNotContain("src=\"http").doesNotContain("href=\"http://").doesNotContain("@import");
            assertThat(http.send(RawHttpClient.get("/metrics")).read().status()).isEqualTo(200); // keep-alive still
        }
    }

    @Test
    void aSubscriberGetsHelloSnapshotsAndTheTraceOfAConnection() throws Exception {
        assertThat(taps()).isZero();
        try (SseClient sse = new SseClient(server.metricsAddress())) {
            assertThat(sse.status).isEqualTo(200);
            assertThat(sse.headers).contains("Content-Type: text/event-stream; charset=utf-8");
            assertThat(sse.headers).noneMatch(h -> h.toLowerCase().startsWith("access-control"));
            SseClient.Message hello = sse.until("hello");
            long you = number(hello.data(), "you");
            assertThat(hello.data()).contains("\"maxClients\":2");
            assertThat(sse.until("snapshot").data()).contains("\"connections\":[").contains("\"id\":" + you + ",");
            assertThat(taps()).isEqualTo(1);

            long id;
            try (Socket echo = Loopback.connect(server.tcpAddress())) {
                echo.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(echo.getInputStream().readNBytes(6)).isEqualTo("HELLO\n".getBytes(StandardCharsets.US_ASCII));
                id = reactor().connectionInfos().stream().filter(c -> c.service().equals("upper-echo"))
                        .mapToLong(ConnectionInfo::id).findFirst().orElseThrow();
                String row = sse.until(m -> "snapshot".equals(m.event()) && m.data().contains("\"id\":" + id + ","))
                        .data();
                assertThat(row).contains("\"service\":\"upper-echo\"");
            }
            StringBuilder story = sse.events;
            sse.until(m -> story.indexOf("\"kind\":\"close\",\"id\":" + id + ",") >= 0);
            assertThat(story.toString()).contains("\"kind\":\"accept\",\"id\":" + id + ",")
                    .contains("\"kind\":\"read\",\"id\":" + id + ",").contains("\"kind\":\"write\",\"id\":" + id + ",");
            assertThat(story.toString()).doesNotContain("\"id\":" + you + ",\"text\""); // never its own writes
        }
        Eventually.until(() -> {
            try {
                return taps() == 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, () -> "the tap outlived the last subscriber");
    }

    @Test
    void oneTabMoreThanTheLimitGets503() throws Exception {
        try (SseClient a = new SseClient(server.metricsAddress());
             SseClient b = new SseClient(server.metricsAddress())) {
            a.until("snapshot");
            b.until("snapshot");
            try (SseClient c = new SseClient(server.metricsAddress())) {
                assertThat(c.status).isEqualTo(503);
                assertThat(c.body()).contains("too many dashboards");
            }
        }
        Eventually.until(() -> server.stats().service("dashboard_subscribers") == 0, () -> "subscribers left");
        try (SseClient again = new SseClient(server.metricsAddress())) {
            assertThat(again.status).isEqualTo(200); // a freed place is taken again
        }
    }

    @Test
    void aFrozenTabIsSkippedNotQueuedThenToldWhatItMissed() throws Exception {
        try (SseClient fast = new SseClient(server.metricsAddress());
             SseClient frozen = new SseClient(server.metricsAddress(), 4096)) {
            long frozenId = number(frozen.until("hello").data(), "you");
            // Make trace events (reads, writes, selects) until the frozen tab's queue reaches its bound.
            long deadline = System.nanoTime() + 60_000_000_000L;
            try (Socket echo = Loopback.connect(server.tcpAddress())) {
                OutputStream out = echo.getOutputStream();
                InputStream in = echo.getInputStream();
                byte[] line = "ping\n".getBytes(StandardCharsets.US_ASCII);
                while (server.stats().service("dashboard_events_dropped_total") == 0) {
                    assertThat(System.nanoTime()).as("nothing dropped within 60 s").isLessThan(deadline);
                    for (int i = 0; i < 200; i++) {
                        out.write(line);
                        in.readNBytes(line.length);
                    }
                    fast.next(); // the other tab keeps reading (or it would fall behind too)
                }
            }
            long bound = DashboardFeed.DEFAULT_MAX_PENDING;
            List<ConnectionInfo> infos = reactor().connectionInfos();
            ConnectionInfo f = infos.stream().filter(c -> c.id() == frozenId).findFirst().orElseThrow();
            assertThat(f.pendingBytes()).as("the frozen tab's queue").isGreaterThan(0).isLessThanOrEqualTo(bound + 64 * 1024);
            assertThat(server.stats().bytesPending()).isLessThanOrEqualTo(2 * (bound + 64 * 1024));
            // The other tab is still served.
            long before = number(fast.until("snapshot").data(), "t");
            assertThat(number(fast.until("snapshot").data(), "t")).isGreaterThan(before);
            // The frozen tab reads again: what was queued, then the marker, then a fresh snapshot.
            SseClient.Message dropped = frozen.until("dropped");
            assertThat(number(dropped.data(), "events") + number(dropped.data(), "snapshots")).isPositive();
            assertThat(frozen.next().event()).isIn("snapshot", "skipped");
        }
    }

    @Test
    void nothingIsTappedOrTimedWhileNobodyWatches() throws Exception {
        assertThat(taps()).isZero();
        long timers = server.stats().timersFired();
        Thread.sleep(600); // two snapshot intervals and more
        assertThat(server.stats().timersFired()).isEqualTo(timers);
    }

    private static long number(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(json);
        assertThat(m.find()).as(name + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }
}
