package nioreactor.metrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import nioreactor.reactor.Acceptor;
import nioreactor.reactor.Limits;
import nioreactor.reactor.Reactor;

/**
 * {@code serve --metrics PORT}: a fourth protocol on the same selector, HTTP/1.1 answering {@code GET /metrics} in the
 * Prometheus text format (see {@link MetricsHttp}). Being on the reactor it costs no thread, and it shows the loop
 * multiplexing one more kind of connection; its own connections are counted in the metrics like any other.
 */
public final class MetricsEndpoint {
    /** A scraper that keeps a connection open but goes away is closed after this, even when --idle-timeout is off. */
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

    private MetricsEndpoint() {
    }

    /** Binds the listener and registers it with {@code reactor}. Reactor thread only. */
    public static Acceptor bind(Reactor reactor, InetSocketAddress address, int backlog, Limits limits,
                                Runnable onConnectionClosed) throws IOException {
        Limits own = limits.idleTimeoutEnabled() ? limits : limits.withIdleTimeout(DEFAULT_IDLE_TIMEOUT);
        return Acceptor.bind(reactor, "metrics", address, backlog,
                () -> new MetricsHttp(reactor, limits.lingerTimeout(), limits.highWater()), own, onConnectionClosed);
    }
}
