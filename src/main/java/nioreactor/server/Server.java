package nioreactor.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import nioreactor.chat.ChatRoom;
import nioreactor.kv.KvService;
import nioreactor.metrics.MetricsEndpoint;
import nioreactor.metrics.ReactorJmx;
import nioreactor.reactor.Limits;
import nioreactor.reactor.Listener;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.Reactor.ShutdownSummary;
import nioreactor.reactor.ReactorStats;
import nioreactor.reactor.StreamHandler;
import nioreactor.reactor.Trace;
import nioreactor.reactor.UdpLimits;
import nioreactor.reactor.UdpSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in services (upper-echo, framed upper-echo, UDP time, and optionally metrics, the chat room and the two
 * echoes on AF_UNIX socket files) on one reactor, in one process: what {@code serve} runs. Each TCP service can also
 * have a TLS port of its own, as Redis has {@code tls-port}: the same handlers, over {@link ServerConfig#tls()}. It
 * uses the library's public API only, as any embedder would. Start one with {@link #start}; {@link #close()} shuts it
 * down gracefully and waits. Any number can run in one JVM.
 */
public final class Server implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Server.class);
    private static final long BIND_TIMEOUT_SECONDS = 30;

    private final ServerConfig config;
    private final Reactor reactor;
    private final CompletableFuture<ShutdownSummary> done = new CompletableFuture<>();
    private Listener upper;
    private Listener framed;
    private Listener upperUnix;
    private Listener framedUnix;
    private UdpSocket time;
    private Listener metrics;
    private Listener upperTls;
    private Listener framedTls;
    private Listener chatTls;
    private Listener kvTls;
    private Listener chat;
    private Listener kv;
    private volatile ReactorJmx jmx;

    private Server(ServerConfig config) {
        this.config = config;
        this.reactor = Reactor.builder()
                .name(config.reactorName())
                .readBufferSize(config.readBufferSize())
                .trace(Trace.of(config.trace()))
                .selectStrategy(config.selectStrategy())
                .spinFor(config.spinFor())
                .build();
    }

    /** Binds every enabled service and starts the reactor thread; logs one INFO line per listener. Any thread. */
    public static Server start(ServerConfig config) throws IOException {
        Server server = new Server(config);
        server.reactor.start();
        try {
            server.bindAll();
        } catch (IOException | RuntimeException e) {
            server.reactor.stop(); // closes whatever was bound already
            try {
                server.reactor.awaitTermination(Duration.ofSeconds(BIND_TIMEOUT_SECONDS));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        server.logListeners();
        server.jmx = ReactorJmx.register(server.reactor);
        return server;
    }

    private void bindAll() throws IOException {
        // Reactor-thread state shared by both echoes: one scratch array per reactor, not one per connection.
        BulkUpper bulk = new BulkUpper();
        UpperEcho upperEcho = new UpperEcho(bulk);
        Limits limits = config.limits().withBacklog(config.backlog());
        if (config.tcpPort() != ServerConfig.DISABLED) {
            InetSocketAddress at = address(config.tcpPort());
            upper = bound("upper-echo", "tcp", at, reactor.listen("upper-echo", at, limits, () -> upperEcho));
        }
        Supplier<StreamHandler> framedEcho = FramedUpperEcho.forOneReactor(reactor, config.maxFrame(), bulk);
        if (config.framedPort() != ServerConfig.DISABLED) {
            InetSocketAddress at = address(config.framedPort());
            framed = bound("framed-echo", "tcp", at, reactor.listen("framed-echo", at, limits, framedEcho));
        }
        if (config.unixTcpPath() != null) {
            UnixDomainSocketAddress at = UnixDomainSocketAddress.of(config.unixTcpPath());
            upperUnix = unixBound("upper-echo", at, reactor.listen("upper-echo", at, limits, () -> upperEcho));
        }
        if (config.unixFramedPath() != null) {
            UnixDomainSocketAddress at = UnixDomainSocketAddress.of(config.unixFramedPath());
            framedUnix = unixBound("framed-echo", at, reactor.listen("framed-echo", at, limits, framedEcho));
        }
        // The TLS ports: the same handlers over TLS. A new TCP service gets its TLS port with one more line here.
        upperTls = listenTls("upper-echo-tls", config.tlsTcpPort(), limits, () -> upperEcho);
        framedTls = listenTls("framed-echo-tls", config.tlsFramedPort(), limits, framedEcho);
        if (config.udpPort() != ServerConfig.DISABLED) {
            InetSocketAddress at = address(config.udpPort());
            time = bound("time", "udp", at, TimeService.bind(reactor, at, config.zone(), config.clock(),
                    new UdpLimits(config.datagramBudget(), config.udpPendingReplies())));
        }
        if (config.metricsPort() != ServerConfig.DISABLED) {
            InetSocketAddress at = new InetSocketAddress(config.metricsHost(), config.metricsPort());
            metrics = bound("metrics", "tcp", at, MetricsEndpoint.listen(reactor, at,
                    limits.withMaxConnections(config.metricsMaxConnections()), config.dashboardMaxClients()));
        }
        // One chat room and one key space, whichever ports reach them: a member over TLS talks with one over TCP.
        ChatRoom room = on(config.chatPort(), config.tlsChatPort())
                ? ChatRoom.create(reactor, config.chatMaxLine(), config.chatMaxPending()) : null;
        if (config.chatPort() != ServerConfig.DISABLED) {
            InetSocketAddress at = address(config.chatPort());
            chat = bound("chat", "tcp", at, room.listen(at, limits));
        }
        KvService keys = on(config.kvPort(), config.tlsKvPort())
                ? KvService.start(reactor, config.kvSettings(), limits) : null;
        if (config.kvPort() != ServerConfig.DISABLED) {
            InetSocketAddress at = address(config.kvPort());
            kv = bound("kv", "tcp", at, reactor.listen("kv", at, limits, keys.handlers()));
        }
        chatTls = listenTls("chat-tls", config.tlsChatPort(), limits, room == null ? null : room.handlers());
        kvTls = listenTls("kv-tls", config.tlsKvPort(), limits, keys == null ? null : keys.handlers());
    }

    private static boolean on(int... ports) {
        for (int port : ports) {
            if (port != ServerConfig.DISABLED) {
                return true;
            }
        }
        return false;
    }

    /** Binds {@code service} over TLS on {@code port}, or returns null when that port is off. */
    private Listener listenTls(String service, int port, Limits limits, Supplier<? extends StreamHandler> handlers)
            throws IOException {
        if (port == ServerConfig.DISABLED) {
            return null;
        }
        InetSocketAddress at = address(port);
        return bound(service, "tcp", at, reactor.listen(service, at, limits, config.tls(), handlers));
    }

    /** Waits for a bind, and names the service, protocol and address when it fails: the JDK's message names none. */
    private static <T> T bound(String service, String protocol, SocketAddress address, CompletableFuture<T> bind)
            throws IOException {
        try {
            return bind.get(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new ServiceBindException(service, protocol, address, io);
            }
            throw new IllegalStateException("binding " + service + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + service, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the reactor did not bind " + service + " within "
                    + BIND_TIMEOUT_SECONDS + " s", e);
        }
    }

    /**
     * An AF_UNIX listener, once bound, gets {@code --unix-mode}. The JDK binds and listens in one call, so there is a
     * moment with the umask's mode (usually 0755: connecting needs write permission, so only the owner could).
     */
    private Listener unixBound(String service, UnixDomainSocketAddress address, CompletableFuture<Listener> bind)
            throws IOException {
        Listener listener = bound(service, "unix", address, bind);
        try {
            Files.setPosixFilePermissions(address.getPath(), PosixFilePermissions.fromString(config.unixMode()));
        } catch (IOException | UnsupportedOperationException e) {
            listener.close(); // deletes the file again
            throw new ServiceBindException(service, "unix", address,
                    new IOException("cannot set its mode to " + config.unixMode() + ": " + e.getMessage(), e));
        }
        return listener;
    }

    private InetSocketAddress address(int port) {
        return new InetSocketAddress(config.host(), port);
    }

    private void logListeners() {
        if (upper != null) {
            log.info("upper-echo listening on tcp {}", hostPort(tcpAddress()));
        }
        if (framed != null) {
            log.info("framed-echo listening on tcp {}", hostPort(framedAddress()));
        }
        if (upperUnix != null) {
            log.info("upper-echo listening on unix {}", unixTcpPath());
        }
        if (framedUnix != null) {
            log.info("framed-echo listening on unix {}", unixFramedPath());
        }
        for (Listener tls : new Listener[] {upperTls, framedTls, chatTls, kvTls}) {
            if (tls != null) {
                log.info("{} listening on tls {} ({})", tls.service(), hostPort(inet(tls)), config.tls());
            }
        }
        if (time != null) {
            log.info("time listening on udp {} (zone {})", hostPort(time.localAddress()), config.zone());
        }
        if (metrics != null) {
            log.info("metrics listening on http://{}/metrics (the dashboard: http://{}/)", hostPort(metricsAddress()),
                    hostPort(metricsAddress()));
        }
        if (chat != null) {
            log.info("chat listening on tcp {}", hostPort(chatAddress()));
        }
        if (kv != null) {
            log.info("kv (Redis protocol) listening on tcp {}", hostPort(kvAddress()));
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** A TCP listener's address, or null when the service is off. */
    private static InetSocketAddress inet(Listener listener) {
        return listener == null ? null : (InetSocketAddress) listener.address();
    }

    public InetSocketAddress tcpAddress() {
        return inet(upper);
    }

    public InetSocketAddress framedAddress() {
        return inet(framed);
    }

    /** The upper-echo's AF_UNIX socket file, or null when it is not served over AF_UNIX. */
    public Path unixTcpPath() {
        return unixPath(upperUnix);
    }

    /** The framed echo's AF_UNIX socket file, or null. */
    public Path unixFramedPath() {
        return unixPath(framedUnix);
    }

    private static Path unixPath(Listener listener) {
        return listener == null ? null : ((UnixDomainSocketAddress) listener.address()).getPath();
    }

    /** Upper-echo's TLS port, or null when off. */
    public InetSocketAddress tlsTcpAddress() {
        return inet(upperTls);
    }

    /** Framed upper-echo's TLS port, or null when off. */
    public InetSocketAddress tlsFramedAddress() {
        return inet(framedTls);
    }

    /** The chat room's TLS port, or null when off. */
    public InetSocketAddress tlsChatAddress() {
        return inet(chatTls);
    }

    /** The key-value service's TLS port, or null when off. */
    public InetSocketAddress tlsKvAddress() {
        return inet(kvTls);
    }

    public InetSocketAddress udpAddress() {
        return time == null ? null : time.localAddress();
    }

    public InetSocketAddress metricsAddress() {
        return inet(metrics);
    }

    public InetSocketAddress chatAddress() {
        return inet(chat);
    }

    public InetSocketAddress kvAddress() {
        return inet(kv);
    }

    public Reactor reactor() {
        return reactor;
    }

    public ServerConfig config() {
        return config;
    }

    /** A consistent snapshot of the reactor's and the services' counters. Any thread. */
    public ReactorStats stats() {
        return reactor.stats();
    }

    // ------------------------------------------------------------------------------------- shutdown

    /**
     * Graceful shutdown: listeners close at once (new connections are refused), connections stop reading and flush
     * what they owe for up to {@code timeout}, then whatever is left is closed. Returns when the reactor has stopped,
     * having logged one summary line. Any thread but the reactor's (it would wait for itself); calling it again just
     * waits for the first call's result.
     */
    public ShutdownSummary shutdown(Duration timeout) {
        if (reactor.inReactorThread()) {
            throw new IllegalStateException("Server.shutdown waits for the reactor, so it cannot run on the reactor "
                    + "thread; use reactor().shutdownGracefully(...) there");
        }
        reactor.shutdownGracefully(timeout).thenAccept(this::finished);
        try {
            return done.get(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            reactor.stop();
            throw new IllegalStateException("shutdown did not complete", e);
        }
    }

    private void finished(ShutdownSummary summary) {
        if (!done.isDone()) {
            log.info("shutdown: {} connections closed, {} bytes flushed, {} bytes abandoned",
                    summary.connectionsClosed(), summary.bytesFlushed(), summary.bytesAbandoned());
            ReactorJmx bean = jmx;
            if (bean != null) {
                bean.unregister();
            }
            done.complete(summary);
        }
    }

    /** {@link #shutdown} with {@code --shutdown-timeout}. */
    @Override
    public void close() {
        shutdown(config.shutdownTimeout());
    }

    /** Blocks until the server has shut down (e.g. from a signal handler's {@link #close}). */
    public void awaitShutdown() throws InterruptedException {
        try {
            done.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
