package nioreactor.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import nioreactor.chat.ChatRoom;
import nioreactor.kv.KvService;
import nioreactor.metrics.Health;
import nioreactor.metrics.MetricsEndpoint;
import nioreactor.metrics.ReactorJmx;
import nioreactor.reactor.Limits;
import nioreactor.reactor.ListenOptions;
import nioreactor.reactor.Listener;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.Reactor.ShutdownSummary;
import nioreactor.reactor.ReactorStats;
import nioreactor.reactor.StreamHandler;
import nioreactor.reactor.TlsContext;
import nioreactor.reactor.Trace;
import nioreactor.reactor.UdpLimits;
import nioreactor.reactor.UdpSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in services (upper-echo, framed upper-echo, UDP time, and optionally metrics, the chat room, the key-value
 * store and the two echoes on AF_UNIX socket files) on one reactor, in one process: what {@code serve} runs. Each TCP
 * service can also have a TLS port of its own, as Redis has {@code tls-port}: the same handlers, over
 * {@link ServerConfig#tls()}. It uses the library's public API only, as any embedder would. Start one with
 * {@link #start}; {@link #close()} shuts it down gracefully and waits. Any number can run in one JVM.
 *
 * <p>With {@code --reactors N} the upper-echo and framed services run on N reactors, spread by
 * {@link ServerConfig#acceptMode()}: reactor-0 accepts and hands off (least connections), or every reactor listens
 * with SO_REUSEPORT. Every connection lives on one reactor; per-reactor service state (the echoes' scratch space, the
 * frame counters, a chat room per reactor linked into one chat) is made once per reactor, so no lock appears on the
 * I/O path. The time service, metrics, the key-value store and the AF_UNIX listeners stay on reactor-0 (see the
 * README's "Several reactors" for why); {@code /metrics} and JMX show every reactor.
 */
public final class Server implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Server.class);
    private static final long BIND_TIMEOUT_SECONDS = 30;

    private final ServerConfig config;
    /** reactor-0: every service that is not spread, and the acceptor in hand-off mode. */
    private final Reactor reactor;
    private final List<Reactor> reactors;
    /** The extra listeners of the spread services (reuseport mode binds one per reactor); the first is the field. */
    private final List<Listener> extraListeners = new ArrayList<>();
    private final CompletableFuture<ShutdownSummary> done = new CompletableFuture<>();
    private final Health health = new Health();
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
    private final List<ReactorJmx> jmx = new ArrayList<>();

    private Server(ServerConfig config) {
        this.config = config;
        List<Reactor> all = new ArrayList<>();
        for (int i = 0; i < config.reactors(); i++) {
            all.add(Reactor.builder()
                    .name(reactorName(config, i))
                    .readBufferSize(config.readBufferSize())
                    .trace(Trace.of(config.trace()))
                    .selectStrategy(config.selectStrategy())
                    .spinFor(config.spinFor())
                    .build());
        }
        this.reactors = List.copyOf(all);
        this.reactor = reactors.get(0);
    }

    /** reactor-0 ... reactor-N-1: the configured name, its trailing number counted up for the others. */
    private static String reactorName(ServerConfig config, int i) {
        String base = config.reactorName();
        if (i == 0) {
            return base;
        }
        return base.endsWith("-0") ? base.substring(0, base.length() - 1) + i : base + "-" + i;
    }

    /** Binds every enabled service and starts the reactor thread; logs one INFO line per listener. Any thread. */
    public static Server start(ServerConfig config) throws IOException {
        Server server = new Server(config);
        server.reactors.forEach(Reactor::start);
        try {
            server.bindAll();
        } catch (IOException | RuntimeException e) {
            server.reactors.forEach(Reactor::stop); // closes whatever was bound already
            try {
                for (Reactor r : server.reactors) {
                    r.awaitTermination(Duration.ofSeconds(BIND_TIMEOUT_SECONDS));
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        server.logListeners();
        for (Reactor r : server.reactors) {
            ReactorJmx bean = ReactorJmx.register(r);
            if (bean != null) {
                server.jmx.add(bean);
            }
        }
        return server;
    }

    private void bindAll() throws IOException {
        // Reactor-thread state shared by both echoes: one scratch array per reactor, not one per connection. Made
        // here for every reactor, before any connection, and only read afterwards: no lock needed.
        Map<Reactor, UpperEcho> upperEchoes = new IdentityHashMap<>();
        Map<Reactor, Supplier<StreamHandler>> framedEchoes = new IdentityHashMap<>();
        for (Reactor r : reactors) {
            BulkUpper bulk = new BulkUpper();
            upperEchoes.put(r, new UpperEcho(bulk));
            if (on(config.framedPort(), config.tlsFramedPort()) || config.unixFramedPath() != null) {
                framedEchoes.put(r, FramedUpperEcho.forOneReactor(r, config.maxFrame(), bulk));
            }
        }
        Limits limits = config.limits().withBacklog(config.backlog());
        if (config.tcpPort() != ServerConfig.DISABLED) {
            upper = listenSpread("upper-echo", address(config.tcpPort()), limits, null, upperEchoes::get);
        }
        if (config.framedPort() != ServerConfig.DISABLED) {
            framed = listenSpread("framed-echo", address(config.framedPort()), limits, null,
                    home -> framedEchoes.get(home).get());
        }
        if (config.unixTcpPath() != null) {
            UnixDomainSocketAddress at = UnixDomainSocketAddress.of(config.unixTcpPath());
            upperUnix = unixBound("upper-echo", at, reactor.listen("upper-echo", at, limits, () -> upperEchoes.get(reactor)));
        }
        if (config.unixFramedPath() != null) {
            UnixDomainSocketAddress at = UnixDomainSocketAddress.of(config.unixFramedPath());
            framedUnix = unixBound("framed-echo", at, reactor.listen("framed-echo", at, limits, framedEchoes.get(reactor)));
        }
        // The TLS ports: the same handlers over TLS. A new TCP service gets its TLS port with one more line here.
        upperTls = listenTls("upper-echo-tls", config.tlsTcpPort(), limits, upperEchoes::get);
        framedTls = listenTls("framed-echo-tls", config.tlsFramedPort(), limits, home -> framedEchoes.get(home).get());
        if (config.udpPort() != ServerConfig.DISABLED) {
            InetSocketAddress at = address(config.udpPort());
            time = bound("time", "udp", at, TimeService.bind(reactor, at, config.zone(), config.clock(),
                    new UdpLimits(config.datagramBudget(), config.udpPendingReplies()),
                    config.reusePort() ? ListenOptions.DEFAULTS.withReusePort() : ListenOptions.DEFAULTS));
        }
        if (config.metricsPort() != ServerConfig.DISABLED) {
            // Never behind the PROXY protocol nor shared: a balancer checks each process on its own metrics port.
            InetSocketAddress at = new InetSocketAddress(config.metricsHost(), config.metricsPort());
            metrics = bound("metrics", "tcp", at, MetricsEndpoint.listen(reactor, at,
                    limits.withMaxConnections(config.metricsMaxConnections()), config.dashboardMaxClients(), health,
                    reactors));
        }
        // One chat and one key space, whichever ports reach them: a member over TLS talks with one over TCP. The chat
        // is a room per reactor, linked, each member in its connection's reactor's room; the key space is reactor-0's.
        Map<Reactor, Supplier<StreamHandler>> members = new IdentityHashMap<>();
        if (on(config.chatPort(), config.tlsChatPort())) {
            for (ChatRoom room : ChatRoom.createAcross(reactors, config.chatMaxLine(), config.chatMaxPending())) {
                members.put(room.reactor(), room.handlers());
            }
        }
        if (config.chatPort() != ServerConfig.DISABLED) {
            chat = listenSpread("chat", address(config.chatPort()), limits, null, home -> members.get(home).get());
        }
        KvService keys = on(config.kvPort(), config.tlsKvPort())
                ? KvService.start(reactor, config.kvSettings(), limits) : null;
        if (config.kvPort() != ServerConfig.DISABLED) {
            InetSocketAddress at = address(config.kvPort());
            Supplier<StreamHandler> kvHandlers = keys.handlers();
            kv = bound("kv", "tcp", at, reactor.listen("kv", at, limits, serviceOptions(null), home -> kvHandlers.get()));
        }
        chatTls = listenTls("chat-tls", config.tlsChatPort(), limits, home -> members.get(home).get());
        if (config.tlsKvPort() != ServerConfig.DISABLED) {
            InetSocketAddress at = address(config.tlsKvPort());
            Supplier<StreamHandler> kvHandlers = keys.handlers();
            kvTls = bound("kv-tls", "tcp", at, reactor.listen("kv-tls", at, limits, serviceOptions(config.tls()),
                    config.tls(), home -> kvHandlers.get()));
        }
    }

    private static boolean on(int... ports) {
        for (int port : ports) {
            if (port != ServerConfig.DISABLED) {
                return true;
            }
        }
        return false;
    }

    /** Binds {@code service} over TLS on {@code port}, spread like the plaintext ports, or null when that port is off. */
    private Listener listenTls(String service, int port, Limits limits,
                               Function<Reactor, ? extends StreamHandler> handlers) throws IOException {
        if (port == ServerConfig.DISABLED) {
            return null;
        }
        return listenSpread(service, address(port), limits, config.tls(), handlers);
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
     * Binds a service that runs on every reactor: one listener on reactor-0 that hands connections off (least
     * connections), or one SO_REUSEPORT listener per reactor on the same port. With one reactor, just a listener.
     */
    private Listener listenSpread(String service, InetSocketAddress at, Limits limits, TlsContext tls,
                                  Function<Reactor, ? extends StreamHandler> handlers) throws IOException {
        ListenOptions options = serviceOptions(tls);
        if (reactors.size() == 1) {
            return bound(service, "tcp", at, reactor.listen(service, at, limits, options, tls, handlers));
        }
        if (config.acceptMode() == AcceptMode.HANDOFF) {
            return bound(service, "tcp", at, reactor.listen(service, at, limits,
                    options.handOffTo(reactors, ListenOptions.Balance.LEAST_CONNECTIONS), tls, handlers));
        }
        ListenOptions shared = options.withReusePort();
        Listener first = bound(service, "tcp", at, reactor.listen(service, at, limits, shared, tls, handlers));
        InetSocketAddress port = (InetSocketAddress) first.address(); // port 0 asked: the others take the same one
        ListenOptions rest = shared.sharingLimitWith(first); // one --max-connections for the service, not N
        for (Reactor r : reactors.subList(1, reactors.size())) {
            extraListeners.add(bound(service, "tcp", port, r.listen(service, port, limits, rest, tls, handlers)));
        }
        return first;
    }

    /**
     * The options of the TCP service listeners: {@code --reuse-port} and {@code --proxy-protocol} (plaintext ports
     * only: a PROXY header would come before the TLS handshake, below the layer that reads it).
     */
    private ListenOptions serviceOptions(TlsContext tls) {
        ListenOptions options = ListenOptions.DEFAULTS;
        if (config.reusePort()) {
            options = options.withReusePort();
        }
        if (config.proxyProtocol() && tls == null) {
            options = options.expectProxyHeader(config.proxyTimeout());
        }
        return options;
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
        if (reactors.size() > 1) {
            log.info("{} reactors ({}), accept mode {}: upper-echo, framed-echo and chat (and their TLS ports) on "
                            + "every reactor; time, metrics and kv on {}", reactors.size(), reactors.stream().map(Reactor::name).toList(),
                    config.acceptMode().name().toLowerCase(java.util.Locale.ROOT), reactor.name());
        }
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

    /** {@return reactor-0}: the only one with {@code --reactors 1}. */
    public Reactor reactor() {
        return reactor;
    }

    /** {@return every reactor, reactor-0 first} */
    public List<Reactor> reactors() {
        return reactors;
    }

    /** {@return whether every reactor's loop is still running} Any thread. */
    public boolean isRunning() {
        return reactors.stream().allMatch(Reactor::isRunning);
    }

    public ServerConfig config() {
        return config;
    }

    /**
     * The reactor's and the services' counters: one consistent snapshot with one reactor; with several, each
     * reactor's snapshot added up ({@link ReactorStats#total}). Any thread but a reactor's (it waits for each).
     */
    public ReactorStats stats() {
        if (reactors.size() == 1) {
            return reactor.stats();
        }
        return ReactorStats.total(reactors.stream().map(Reactor::stats).toList());
    }

    // ------------------------------------------------------------------------------------- shutdown

    /**
     * Starts draining: {@code GET /health} answers {@code 503 draining} from now on, while every listener stays open
     * and every connection is served as before, so that a load balancer sees the 503 and stops sending new
     * connections before {@link #shutdown} closes the listeners. Any thread; calling it again does nothing.
     */
    public void drain() {
        if (!health.isDraining()) {
            health.drain();
            if (!config.drainDelay().isZero()) {
                log.info("draining: /health answers 503; listeners stay open for {} ms (--drain-delay)",
                        config.drainDelay().toMillis());
            }
        }
    }

    /** True once {@link #drain} was called. Any thread. */
    public boolean isDraining() {
        return health.isDraining();
    }

    /**
     * Graceful shutdown: listeners close at once (new connections are refused), connections stop reading and flush
     * what they owe for up to {@code timeout}, then whatever is left is closed. Returns when the reactor has stopped,
     * having logged one summary line. Any thread but the reactor's (it would wait for itself); calling it again just
     * waits for the first call's result.
     */
    public ShutdownSummary shutdown(Duration timeout) {
        if (reactors.stream().anyMatch(Reactor::inReactorThread)) {
            throw new IllegalStateException("Server.shutdown waits for the reactor, so it cannot run on the reactor "
                    + "thread; use reactor().shutdownGracefully(...) there");
        }
        // Every reactor drains at once, each within the same timeout; the summary adds them up.
        List<CompletableFuture<ShutdownSummary>> parts = new ArrayList<>();
        for (Reactor r : reactors) {
            parts.add(r.shutdownGracefully(timeout));
        }
        CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
                .thenRun(() -> finished(parts.stream().map(CompletableFuture::join).toList()));
        try {
            return done.get(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            reactors.forEach(Reactor::stop);
            throw new IllegalStateException("shutdown did not complete", e);
        }
    }

    private synchronized void finished(List<ShutdownSummary> parts) {
        if (!done.isDone()) {
            ShutdownSummary summary = new ShutdownSummary(
                    parts.stream().mapToLong(ShutdownSummary::connectionsClosed).sum(),
                    parts.stream().mapToLong(ShutdownSummary::bytesFlushed).sum(),
                    parts.stream().mapToLong(ShutdownSummary::bytesAbandoned).sum());
            log.info("shutdown: {} connections closed, {} bytes flushed, {} bytes abandoned{}",
                    summary.connectionsClosed(), summary.bytesFlushed(), summary.bytesAbandoned(),
                    parts.size() == 1 ? "" : " (" + parts.size() + " reactors)");
            for (ReactorJmx bean : jmx) {
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
