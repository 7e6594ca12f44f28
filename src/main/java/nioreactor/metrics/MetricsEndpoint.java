package nioreactor.metrics;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import nioreactor.reactor.Limits;
import nioreactor.reactor.Listener;
import nioreactor.reactor.Reactor;

/**
 * {@code serve --metrics PORT}: a fourth protocol on the same selector, HTTP/1.1 answering {@code GET /metrics} in the
 * Prometheus text format (see {@link MetricsHttp}), and the dashboard: {@code GET /}, a page that watches the loop,
 * fed by {@code GET /events} (see {@link DashboardFeed}), and {@code GET /health} for load balancers ({@link Health}). Being on the reactor it costs no thread, and it shows the loop
 * multiplexing one more kind of connection; its own connections are counted in the metrics like any other. Built on
 * the public reactor API only, like every service.
 *
 * <p>It has a listener of its own, with its own small connection limit ({@link #DEFAULT_MAX_CONNECTIONS}): a flood of
 * echo clients fills the echo listener's allowance, not this one, so the metrics stay readable exactly when they
 * matter.
 */
public final class MetricsEndpoint {
    /** A scraper that keeps a connection open but goes away is closed after this, even when --idle-timeout is off. */
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Scrapers and {@code stats} calls at once; a handful is plenty. */
    public static final int DEFAULT_MAX_CONNECTIONS = 16;
    /** Dashboard tabs streaming {@code GET /events} at once; one more gets 503. */
    public static final int DEFAULT_DASHBOARD_MAX_CLIENTS = 8;

    private MetricsEndpoint() {
    }

    /**
     * Binds the listener on {@code reactor}, with {@code limits} as given except the idle timeout, which is
     * {@link #DEFAULT_IDLE_TIMEOUT} when {@code limits} has none. Any thread.
     */
    public static CompletableFuture<Listener> listen(Reactor reactor, SocketAddress address, Limits limits) {
        return listen(reactor, address, limits, DEFAULT_DASHBOARD_MAX_CLIENTS);
    }

    /**
     * {@link #listen(Reactor, SocketAddress, Limits)}, also serving the dashboard ({@code GET /}, the page, and
     * {@code GET /events}, its live feed) to at most {@code dashboardMaxClients} tabs at once. Any thread.
     */
    public static CompletableFuture<Listener> listen(Reactor reactor, SocketAddress address, Limits limits,
                                                     int dashboardMaxClients) {
        return listen(reactor, address, limits, dashboardMaxClients, new Health(), List.of(reactor));
    }

    /**
     * Likewise, with {@code GET /health} answering as {@code health} says (200 ok, or 503 draining), and
     * {@code /metrics} showing every reactor of {@code shown} (a server's {@code --reactors N}): each series with a
     * {@code reactor} label, plus the total without one, gathered from each reactor on its own thread without
     * blocking this one. The dashboard shows this reactor. Any thread.
     */
    public static CompletableFuture<Listener> listen(Reactor reactor, SocketAddress address, Limits limits,
                                                     int dashboardMaxClients, Health health, List<Reactor> shown) {
        Limits own = limits.idleTimeoutEnabled() ? limits : limits.withIdleTimeout(DEFAULT_IDLE_TIMEOUT);
        DashboardFeed feed = new DashboardFeed(reactor, dashboardMaxClients,
                Math.min(own.highWater(), DashboardFeed.DEFAULT_MAX_PENDING));
        List<Reactor> all = List.copyOf(shown);
        return reactor.listen("metrics", address, own,
                () -> new MetricsHttp(reactor, all, own.highWater(), feed, health));
    }
}
