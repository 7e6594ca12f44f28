package nioreactor.metrics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Connection;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.ReactorStats;
import nioreactor.reactor.StreamHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1.1 connection of the metrics endpoint: {@code GET /metrics} (or HEAD) is answered with the reactor's
 * counters in the Prometheus text format, {@code GET /health} with 200 ok or 503 draining ({@link Health}), anything
 * else with 404; a malformed request gets 400 (or 431 for an
 * oversized head, 505 for another HTTP version) and the connection is closed after the reply. Keep-alive and
 * pipelining work.
 *
 * <p>It runs on the reactor thread like every protocol, so it reads {@link Reactor#stats()} at once, with no
 * waiting and no lock. It can never block: the request head is bounded and the reply goes through the connection's
 * write queue. One read can hold hundreds of pipelined requests, each answered with a few KiB, so a client that
 * pipelines without reading the answers could make one read cost megabytes of queued replies (more than the water
 * marks, which act between reads, can stop): once a connection owes more than {@code maxPending} bytes, it is
 * closed instead of answered.
 */
final class MetricsHttp implements StreamHandler {
    private static final Logger log = LoggerFactory.getLogger(MetricsHttp.class);
    static final int MAX_HEAD = 8 * 1024;

    /** The dashboard page's own headers: nothing may be loaded from anywhere, nothing framed, nothing cached. */
    static final String PAGE_HEADERS = "Cache-Control: no-store\r\n"
            + "X-Content-Type-Options: nosniff\r\n"
            + "Referrer-Policy: no-referrer\r\n"
            + "Content-Security-Policy: default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            + "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n";

    private final Reactor reactor;
    /** The reactors {@code /metrics} shows: this one alone, or every reactor of a server ({@code --reactors N}). */
    private final List<Reactor> shown;
    private final long maxPending;
    private final DashboardFeed feed;
    private final Health health;
    private final HttpRequestParser parser = new HttpRequestParser(MAX_HEAD);
    /** This connection answered GET /events: it is a stream now, not a request-reply exchange. */
    private boolean streaming;
    /**
     * With several reactors, a {@code /metrics} answer needs a snapshot from each, taken on its own thread: while
     * they are gathered (asynchronously: this thread never waits), reading is paused, the request waits here, and the
     * rest of the read waits in {@link #leftover}.
     */
    private HttpRequestParser.Request waiting;
    private ByteBuffer leftover;

    MetricsHttp(Reactor reactor, long maxPending) {
        this(reactor, maxPending, null);
    }

    MetricsHttp(Reactor reactor, long maxPending, DashboardFeed feed) {
        this(reactor, List.of(reactor), maxPending, feed, new Health());
    }

    MetricsHttp(Reactor reactor, List<Reactor> shown, long maxPending, DashboardFeed feed, Health health) {
        this.reactor = reactor;
        this.shown = List.copyOf(shown);
        this.maxPending = maxPending;
        this.feed = feed;
        this.health = health;
    }

    @Override
    public void onData(Connection connection, ByteBuffer data) {
        if (streaming) {
            data.position(data.limit()); // an event stream has nothing more to read; a client should send nothing
            return;
        }
        if (waiting != null) {
            keep(data); // read before the pause took effect
            return;
        }
        process(connection, data, null);
    }

    private void process(Connection connection, ByteBuffer data, byte[] gathered) {
        byte[] metrics = gathered; // rendered at most once per read, however many requests the read holds
        while (true) {
            parser.feed(data);
            HttpRequestParser.Result result;
            while ((result = parser.next()) instanceof HttpRequestParser.Request request) {
                if (connection.pendingBytes() > maxPending) {
                    log.debug("#{} from {}: {} bytes of answers unread; closing instead of answering more",
                            connection.id(), connection.clientAddress(), connection.pendingBytes());
                    connection.close(CloseReason.PROTOCOL_ERROR);
                    return;
                }
                if (metrics == null && isMetrics(request)) {
                    if (shown.size() > 1) {
                        gather(connection, request, data);
                        return;
                    }
                    metrics = PrometheusText.render(reactor.stats()).getBytes(StandardCharsets.UTF_8);
                }
                if (feed != null && request.path().equals("/events") && request.method().equals("GET")) {
                    if (feed.subscribe(connection)) {
                        streaming = true;
                        data.position(data.limit());
                        return;
                    }
                    connection.send(response(503, ("too many dashboards open (at most " + feed.maxClients()
                            + "; --dashboard-max-clients)\n").getBytes(StandardCharsets.UTF_8),
                            "text/plain; charset=utf-8", false, true, "Retry-After: 5\r\n"));
                    connection.closeAfterFlush(CloseReason.LIMIT);
                    return;
                }
                if (!respond(connection, request, metrics)) {
                    return;
                }
            }
            if (result instanceof HttpRequestParser.Bad bad) {
                log.debug("#{} bad HTTP request from {}: {}", connection.id(), connection.clientAddress(), bad.reason());
                connection.send(response(bad.status(), (bad.reason() + "\n").getBytes(StandardCharsets.UTF_8),
                        "text/plain; charset=utf-8", false, true));
                connection.closeAfterFlush(CloseReason.PROTOCOL_ERROR);
                return;
            }
            if (!data.hasRemaining()) {
                return; // NeedMore: wait for the rest of the head
            }
        }
    }

    /** Answers one request; false once the connection is closing. */
    private boolean respond(Connection connection, HttpRequestParser.Request request, byte[] metrics) {
        boolean close = !request.keepAlive() || request.hasBody();
        connection.send(answer(request, metrics, close, feed != null));
        if (close) {
            // The client asked for it (or sent a body we do not read): a polite close, not an error.
            connection.closeAfterFlush(CloseReason.PEER_EOF);
            return false;
        }
        return true;
    }

    /** Asks every reactor for a snapshot on its own thread; answers when all have, back on this thread. */
    private void gather(Connection connection, HttpRequestParser.Request request, ByteBuffer rest) {
        waiting = request;
        keep(rest);
        connection.pauseReading();
        List<CompletableFuture<ReactorStats>> parts = new ArrayList<>(shown.size());
        for (Reactor r : shown) {
            parts.add(r.submit(r::stats)); // on r's thread stats() is taken at once: nobody waits
        }
        CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0])).whenComplete((ok, failed) ->
                reactor.execute(() -> gathered(connection, parts, failed)));
    }

    private void gathered(Connection connection, List<CompletableFuture<ReactorStats>> parts, Throwable failed) {
        HttpRequestParser.Request request = waiting;
        waiting = null;
        ByteBuffer rest = leftover;
        leftover = null;
        if (connection.isClosing()) {
            return;
        }
        if (failed != null) {
            log.debug("#{}: a reactor gave no snapshot ({}); answering 503", connection.id(), failed.toString());
            connection.send(response(503, "a reactor did not answer\n".getBytes(StandardCharsets.US_ASCII),
                    "text/plain; charset=utf-8", false, true));
            connection.closeAfterFlush(CloseReason.PEER_EOF);
            return;
        }
        List<String> names = new ArrayList<>(shown.size());
        List<ReactorStats> stats = new ArrayList<>(shown.size());
        for (int i = 0; i < shown.size(); i++) {
            names.add(shown.get(i).name());
            stats.add(parts.get(i).join());
        }
        byte[] metrics = PrometheusText.render(names, stats).getBytes(StandardCharsets.UTF_8);
        if (!respond(connection, request, metrics)) {
            return;
        }
        connection.resumeReading();
        process(connection, rest == null ? ByteBuffer.allocate(0) : rest, metrics);
    }

    /** Copies what is left of a read that came while an answer was being gathered (at most a few reads' worth). */
    private void keep(ByteBuffer data) {
        if (!data.hasRemaining()) {
            return;
        }
        int need = (leftover == null ? 0 : leftover.remaining()) + data.remaining();
        ByteBuffer grown = ByteBuffer.allocate(need);
        if (leftover != null) {
            grown.put(leftover);
        }
        grown.put(data);
        leftover = grown.flip();
    }

    private static boolean isMetrics(HttpRequestParser.Request r) {
        return r.path().equals("/metrics") && (r.method().equals("GET") || r.method().equals("HEAD"));
    }

    private static boolean isHealth(HttpRequestParser.Request r) {
        return r.path().equals("/health") && (r.method().equals("GET") || r.method().equals("HEAD"));
    }

    private ByteBuffer answer(HttpRequestParser.Request r, byte[] metrics, boolean close, boolean dashboard) {
        boolean head = r.method().equals("HEAD");
        if (isMetrics(r)) {
            return response(200, metrics, PrometheusText.CONTENT_TYPE, head, close);
        }
        if (isHealth(r)) {
            // A load balancer's check: 503 from the moment the server began to drain, so it stops sending new
            // connections while the listeners are still open (serve --drain-delay).
            boolean draining = health.isDraining();
            return response(draining ? 503 : 200, (draining ? "draining\n" : "ok\n").getBytes(StandardCharsets.US_ASCII),
                    "text/plain; charset=utf-8", head, close);
        }
        boolean getOrHead = r.method().equals("GET") || head;
        if (dashboard && getOrHead && (r.path().equals("/") || r.path().equals("/index.html"))) {
            return response(200, DashboardPage.bytes(), "text/html; charset=utf-8", head, close, PAGE_HEADERS);
        }
        return response(404, ("not found; try GET /metrics, GET /health" + (dashboard ? ", or GET / for the dashboard" : "")
                + "\n").getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8", head, close);
    }

    static ByteBuffer response(int status, byte[] body, String contentType, boolean headOnly, boolean close) {
        return response(status, body, contentType, headOnly, close, "");
    }

    /** {@code extraHeaders}: whole header lines, each ending in CRLF. */
    static ByteBuffer response(int status, byte[] body, String contentType, boolean headOnly, boolean close,
                               String extraHeaders) {
        String headers = "HTTP/1.1 " + status + " " + reasonPhrase(status) + "\r\n"
                + "Content-Type: " + contentType + "\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + extraHeaders
                + (close ? "Connection: close\r\n" : "")
                + "\r\n";
        byte[] h = headers.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(h.length + (headOnly ? 0 : body.length)).put(h);
        if (!headOnly) {
            out.put(body);
        }
        return out.flip();
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }

    @Override
    public void onClose(Connection connection, CloseReason reason) {
        if (streaming) {
            streaming = false;
            feed.unsubscribe(connection);
        }
    }

    @Override
    public String partialMessage() {
        return parser.describePartial();
    }
}
