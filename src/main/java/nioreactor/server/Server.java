package nioreactor.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import nioreactor.metrics.MetricsEndpoint;
import nioreactor.metrics.ReactorJmx;
import nioreactor.reactor.Acceptor;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Connection;
import nioreactor.reactor.IoHandler;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.Stats;
import nioreactor.reactor.Trace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three services (upper-echo, framed upper-echo, UDP time) on one reactor, in one process. Start one with
 * {@link #start}; {@link #close()} shuts it down gracefully and waits. Any number can run in one JVM.
 */
public final class Server implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Server.class);

    /** What a graceful shutdown achieved; also logged as one line. */
    public record ShutdownSummary(long connectionsClosed, long bytesFlushed, long bytesAbandoned) {
    }

    private final ServerConfig config;
    private final Reactor reactor;
    private final List<Acceptor> acceptors = new ArrayList<>();
    private final CompletableFuture<ShutdownSummary> shutdown = new CompletableFuture<>();
    private Acceptor upper;
    private Acceptor framed;
    private TimeService time;
    private Acceptor metrics;
    private volatile ReactorJmx jmx;

    // Shutdown bookkeeping; reactor thread only.
    private boolean shuttingDown;
    private boolean shutdownFinished;
    private long activeAtShutdown;
    private long writtenAtShutdown;
    private long abandonedAtShutdown;

    private Server(ServerConfig config) {
        this.config = config;
        this.reactor = new Reactor(config.reactorName(), config.readBufferSize(), Trace.of(config.trace()),
                config.selectCall(), config.spinThreshold());
    }

    /** Binds every enabled service and starts the reactor thread; logs one INFO line per listener. */
    public static Server start(ServerConfig config) throws IOException {
        Server server = new Server(config);
        server.reactor.start();
        try {
            server.reactor.call(() -> {
                server.bindAll();
                return null;
            }).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            server.reactor.stop();
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("server failed to start", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            server.reactor.stop();
            throw new IllegalStateException("server failed to start", e);
        }
        server.logListeners();
        server.jmx = ReactorJmx.register(server.reactor);
        return server;
    }

    private void bindAll() throws IOException {
        Runnable onClosed = this::connectionClosed;
        // Reactor-thread state shared by both echoes: one scratch array per reactor, not one per connection.
        BulkUpper bulk = new BulkUpper();
        UpperEcho upperEcho = new UpperEcho(bulk);
        try {
            if (config.tcpPort() != ServerConfig.DISABLED) {
                InetSocketAddress at = address(config.tcpPort());
                upper = bound("upper-echo", "tcp", at, () -> Acceptor.bind(reactor, "upper-echo", at,
                        config.backlog(), () -> upperEcho, config.limits(), onClosed));
                acceptors.add(upper);
            }
            if (config.framedPort() != ServerConfig.DISABLED) {
                InetSocketAddress at = address(config.framedPort());
                framed = bound("framed-echo", "tcp", at, () -> Acceptor.bind(reactor, "framed-echo", at,
                        config.backlog(),
                        () -> new FramedUpperEcho(reactor, config.maxFrame(), config.limits().lingerTimeout(), bulk),
                        config.limits(), onClosed));
                acceptors.add(framed);
            }
            if (config.udpPort() != ServerConfig.DISABLED) {
                InetSocketAddress at = address(config.udpPort());
                time = bound("time", "udp", at, () -> TimeService.bind(reactor, at, config.zone(), config.clock(),
                        config.datagramBudget(), config.udpPendingReplies()));
            }
            if (config.metricsPort() != ServerConfig.DISABLED) {
                InetSocketAddress at = address(config.metricsPort());
                metrics = bound("metrics", "tcp", at, () -> MetricsEndpoint.bind(reactor, at, config.backlog(),
                        config.limits(), onClosed));
                acceptors.add(metrics);
            }
        } catch (IOException | RuntimeException e) {
            acceptors.forEach(Acceptor::close);
            throw e;
        }
    }

    private interface Binding<T> {
        T bind() throws IOException;
    }

    /** Binds, and names the service, protocol and address when that fails: the JDK's message names none of them. */
    private static <T> T bound(String service, String protocol, InetSocketAddress address, Binding<T> binding)
            throws IOException {
        try {
            return binding.bind();
        } catch (IOException e) {
            throw new ServiceBindException(service, protocol, address, e);
        }
    }

    private InetSocketAddress address(int port) {
        return new InetSocketAddress(config.host(), port);
    }

    private void logListeners() {
        if (upper != null) {
            log.info("upper-echo listening on tcp {}", hostPort(upper.address()));
        }
        if (framed != null) {
            log.info("framed-echo listening on tcp {}", hostPort(framed.address()));
        }
        if (time != null) {
            log.info("time listening on udp {} (zone {})", hostPort(time.address()), config.zone());
        }
        if (metrics != null) {
            log.info("metrics listening on http://{}/metrics", hostPort(metrics.address()));
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    public InetSocketAddress tcpAddress() {
        return upper == null ? null : upper.address();
    }

    public InetSocketAddress framedAddress() {
        return framed == null ? null : framed.address();
    }

    public InetSocketAddress udpAddress() {
        return time == null ? null : time.address();
    }

    public InetSocketAddress metricsAddress() {
        return metrics == null ? null : metrics.address();
    }

    public Reactor reactor() {
        return reactor;
    }

    public ServerConfig config() {
        return config;
    }

    /** A consistent copy of the reactor's counters, taken on the reactor thread. Any thread. */
    public Stats stats() {
        try {
            return reactor.call(() -> reactor.stats().copy()).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the reactor did not answer", e);
        }
    }

    // ------------------------------------------------------------------------------------- shutdown

    /**
     * Graceful shutdown: listeners close at once (new connections are refused), connections stop reading and flush
     * what they owe for up to {@code timeout}, then whatever is left is closed. Returns when the reactor has stopped.
     * Any thread; calling it again just waits for the first call's result.
     */
    public ShutdownSummary shutdown(Duration timeout) {
        if (!reactor.isRunning() && !shutdown.isDone()) {
            // The loop is gone (stopped, or died of an error it logged): nobody is left to run the shutdown.
            shutdown.complete(new ShutdownSummary(0, 0, 0));
        }
        reactor.execute(() -> beginShutdown(timeout));
        try {
            return shutdown.get(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            reactor.stop();
            throw new IllegalStateException("shutdown did not complete", e);
        }
    }

    /** {@link #shutdown} with {@code --shutdown-timeout}. */
    @Override
    public void close() {
        shutdown(config.shutdownTimeout());
    }

    private void beginShutdown(Duration timeout) {
        if (shuttingDown) {
            return;
        }
        shuttingDown = true;
        Stats stats = reactor.stats();
        activeAtShutdown = stats.connectionsActive;
        writtenAtShutdown = stats.bytesWritten;
        abandonedAtShutdown = stats.bytesAbandoned;
        acceptors.forEach(Acceptor::close);
        if (time != null) {
            time.close();
        }
        for (IoHandler handler : reactor.handlers()) {
            if (handler instanceof Connection connection) {
                connection.closeAfterFlush(CloseReason.SHUTDOWN, timeout);
            }
        }
        reactor.schedule(timeout, "shutdown-deadline", this::forceRemaining);
        connectionClosed(); // finishes at once when nothing was open
    }

    private void connectionClosed() {
        if (shuttingDown && reactor.stats().connectionsActive == 0) {
            finishShutdown();
        }
    }

    private void forceRemaining() {
        for (IoHandler handler : reactor.handlers()) {
            handler.forceClose();
        }
        finishShutdown();
    }

    private void finishShutdown() {
        if (shutdownFinished) {
            return;
        }
        shutdownFinished = true;
        Stats stats = reactor.stats();
        ShutdownSummary summary = new ShutdownSummary(activeAtShutdown, stats.bytesWritten - writtenAtShutdown,
                stats.bytesAbandoned - abandonedAtShutdown);
        log.info("shutdown: {} connections closed, {} bytes flushed, {} bytes abandoned",
                summary.connectionsClosed(), summary.bytesFlushed(), summary.bytesAbandoned());
        reactor.stop();
        // Complete only once the loop is gone, so a caller that rebinds the ports right after never races it.
        Thread waiter = new Thread(() -> {
            try {
                reactor.awaitTermination(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ReactorJmx bean = jmx;
            if (bean != null) {
                bean.unregister();
            }
            shutdown.complete(summary);
        }, config.reactorName() + "-shutdown");
        waiter.setDaemon(true);
        waiter.start();
    }

    /** Blocks until the server has shut down (e.g. from a signal handler's {@link #close}). */
    public void awaitShutdown() throws InterruptedException {
        try {
            shutdown.get();
        } catch (ExecutionException e) {
            throw new UncheckedIOException(new IOException(e.getCause()));
        }
    }
}
