package nioreactor.reactor;

import static java.nio.channels.SelectionKey.OP_ACCEPT;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP listener on a reactor, made by {@link Reactor#listen}: accepts connections and gives each a
 * {@link Connection} with a fresh {@link StreamHandler} from its factory.
 *
 * <p>Three guards keep accepting from hurting the connections already open: at most {@link Limits#acceptBudget()}
 * accepts per loop iteration (a connect storm shares the loop with everyone else); at most
 * {@link Limits#maxConnections()} open connections for this listener (one more is accepted and closed at once, so it
 * does not wait in the backlog until the client times out; other listeners keep their own allowance); and when
 * {@code accept} itself fails (out of file descriptors: EMFILE/ENFILE), accepting pauses for
 * {@link Limits#acceptBackoff()}. Without that pause the pending connection stays in the backlog, the selector reports
 * the listener ready again at once, and the loop spins at 100% CPU while accomplishing nothing.
 *
 * <p>With {@link ListenOptions#handOffTo} the listener's reactor only accepts: each new channel is handed, through
 * {@link Reactor#execute}, to a worker reactor, which makes the {@link Connection} and its handler and registers it
 * on its own thread; the connection lives there for good. {@link ListenOptions#withReusePort()} sets
 * {@code SO_REUSEPORT}. {@link ListenOptions#expectProxyHeader} puts a PROXY protocol reader in front of each
 * handler.
 *
 * <p>{@link #address()}, {@link #service()} and {@link #activeConnections()} may be called from any thread;
 * {@link #close()} too (it hands itself to the reactor).
 */
public final class Listener extends IoHandler {
    private static final Logger log = LoggerFactory.getLogger(Listener.class);
    private static final long REJECT_LOG_INTERVAL_NANOS = 1_000_000_000L;

    private final Reactor reactor;
    private final Stats stats;
    private final String service;
    private final ServerSocketChannel channel;
    private final Function<? super Reactor, ? extends StreamHandler> handlers;
    private final Limits limits;
    private final ListenOptions options;
    private final TlsContext tls;
    /** Where connections live: the workers, or this listener's own reactor alone. */
    private final Reactor[] homes;
    /**
     * Open connections per home. Atomic because a connection closes on its home's thread while this listener's
     * thread reads the counts (the limit, least-connections); without hand-off both are this reactor's thread.
     */
    private final AtomicIntegerArray active;
    /**
     * Open connections counted against {@link Limits#maxConnections()}: this listener's own, or shared with the
     * listener named by {@link ListenOptions#sharingLimitWith} (the SO_REUSEPORT listeners of one service).
     */
    private final AtomicInteger total;
    private final Runnable[] onConnectionClosed;
    /** The PROXY header counters of each home, registered at bind; null without {@link ListenOptions#proxyProtocol}. */
    private final Counter[] proxyAccepted;
    private final Counter[] proxyFailed;
    private final SocketAddress boundAddress;
    /** The socket file of an AF_UNIX listener, deleted when it closes; null for TCP. */
    private final UnixSocketFile socketFile;

    private SelectionKey key;
    /** Round robin's next home; also where least-connections starts looking, so ties rotate. */
    private int nextHome;
    private boolean closed;
    private Timer resumeTimer;
    private long lastRejectLogNanos;
    private long rejectedSinceLog;
    private Timer rejectLogTimer;

    private Listener(Reactor reactor, String service, ServerSocketChannel channel,
                     Function<? super Reactor, ? extends StreamHandler> handlers, Limits limits, ListenOptions options,
                     TlsContext tls, UnixSocketFile socketFile) throws IOException {
        this.reactor = reactor;
        this.stats = reactor.stats;
        this.service = service;
        this.channel = channel;
        this.handlers = handlers;
        this.limits = limits;
        this.options = options;
        this.tls = tls;
        this.homes = options.handsOff() ? options.workers().toArray(new Reactor[0]) : new Reactor[] {reactor};
        this.active = new AtomicIntegerArray(homes.length);
        this.total = options.limitSharedWith() != null ? options.limitSharedWith().total : new AtomicInteger();
        this.onConnectionClosed = new Runnable[homes.length];
        for (int i = 0; i < homes.length; i++) {
            int home = i;
            onConnectionClosed[i] = () -> uncount(home);
        }
        if (options.proxyProtocol()) {
            proxyAccepted = new Counter[homes.length];
            proxyFailed = new Counter[homes.length];
            for (int i = 0; i < homes.length; i++) {
                proxyAccepted[i] = homes[i].counter(ProxyProtocolHandler.ACCEPTED,
                        "Connections whose PROXY protocol header was read (their client address is the proxy's word)");
                proxyFailed[i] = homes[i].counter(ProxyProtocolHandler.FAILED,
                        "Connections closed for a missing, malformed or late PROXY protocol header");
            }
        } else {
            proxyAccepted = null;
            proxyFailed = null;
        }
        this.boundAddress = channel.getLocalAddress();
        this.socketFile = socketFile;
    }

    /**
     * Binds and registers. Reactor thread only. SO_REUSEADDR is on, so a restarted server binds again at once even
     * while its old connections sit in TIME_WAIT (the seed tutorial's "address already in use"); on Linux it does not
     * let two live listeners share a port. SO_REUSEPORT is set only when {@code options} ask for it.
     *
     * <p>A {@link UnixDomainSocketAddress} binds an AF_UNIX listener instead: its path is checked first (length,
     * directory), a stale socket file left by a dead server is removed (a live one never is: the bind fails), and
     * the file the bind creates is deleted again when this listener closes.
     */
    static Listener bind(Reactor reactor, String service, SocketAddress address, Limits limits, ListenOptions options,
                         TlsContext tls, Function<? super Reactor, ? extends StreamHandler> handlers)
            throws IOException {
        assert reactor.inReactorThread();
        UnixSocketFile socketFile = address instanceof UnixDomainSocketAddress unix ? UnixSocketFile.prepare(unix) : null;
        ServerSocketChannel channel = socketFile == null
                ? ServerSocketChannel.open() : ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        boolean bound = false;
        try {
            if (socketFile == null) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true); // no TIME_WAIT, no option, for AF_UNIX
            }
            options.applyReusePort(channel);
            channel.bind(address, limits.backlog());
            bound = true;
            if (socketFile != null) {
                socketFile.bound();
            }
            Listener listener = new Listener(reactor, service, channel, handlers, limits, options, tls, socketFile);
            if (tls != null) {
                reactor.tlsMetrics(); // the TLS counters show (at zero) from the moment a TLS port is open
            }
            listener.key = reactor.register(channel, OP_ACCEPT, listener);
            return listener;
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (bound && socketFile != null) {
                socketFile.delete();
            }
            throw e;
        }
    }

    /**
     * {@return the address actually bound} For TCP an {@link java.net.InetSocketAddress} with the real port when 0
     * was asked for; for AF_UNIX the {@link UnixDomainSocketAddress} of the socket file. Any thread.
     */
    public SocketAddress address() {
        return boundAddress;
    }

    /** {@return the service name given to {@link Reactor#listen}, used in logs and metrics} Any thread. */
    public String service() {
        return service;
    }

    /** {@return the limits given to {@link Reactor#listen}, which its connections share} Any thread. */
    public Limits limits() {
        return limits;
    }

    /** {@return the TLS settings of its connections, or null for plaintext} Any thread. */
    public TlsContext tls() {
        return tls;
    }

    /** {@return the options it was bound with} */
    public ListenOptions options() {
        return options;
    }

    /** {@return open connections accepted by this listener}, on every reactor it hands to. Any thread. */
    public int activeConnections() {
        return total.get();
    }

    private void count(int home) {
        active.incrementAndGet(home);
        total.incrementAndGet();
    }

    private void uncount(int home) {
        active.decrementAndGet(home);
        total.decrementAndGet();
    }

    @Override
    void ready(int readyOps) {
        for (int i = 0; i < limits.acceptBudget(); i++) {
            SocketChannel socket;
            try {
                socket = channel.accept();
            } catch (IOException e) {
                pauseAccepting(e);
                return;
            }
            if (socket == null) {
                return; // the backlog is empty
            }
            if (activeConnections() >= limits.maxConnections()) {
                reject(socket);
            } else if (homes.length == 1 && homes[0] == reactor) {
                count(0);
                open(0, socket);
            } else {
                handOff(socket);
            }
        }
    }

    /**
     * Picks a worker and hands it the channel; the worker makes the connection on its own thread. The count goes up
     * here, before the hop, so the limit and least-connections see connections still in flight.
     */
    private void handOff(SocketChannel socket) {
        int home = pickHome();
        Reactor worker = homes[home];
        if (!worker.isRunning()) {
            log.debug("{}: worker {} has stopped; closing a new connection", service, worker.name());
            closeQuietly(socket);
            return;
        }
        count(home);
        stats.connectionsHandedOff++;
        worker.execute(() -> open(home, socket));
    }

    private int pickHome() {
        int n = homes.length;
        int start = nextHome;
        nextHome = (start + 1) % n;
        if (options.balance() == ListenOptions.Balance.ROUND_ROBIN) {
            return start;
        }
        int best = start;
        int fewest = active.get(start);
        for (int k = 1; k < n && fewest > 0; k++) {
            int i = (start + k) % n;
            int a = active.get(i);
            if (a < fewest) {
                best = i;
                fewest = a;
            }
        }
        return best;
    }

    /** Makes the connection on its home reactor, which is this thread. */
    private void open(int home, SocketChannel socket) {
        Reactor owner = homes[home];
        if (!owner.inReactorThread()) { // the thread rule, checked always: the hand-off must go through execute
            throw new IllegalStateException("a connection of " + owner.name() + " made on "
                    + Thread.currentThread().getName());
        }
        if (owner.isShuttingDown() || !owner.isRunning()) {
            uncount(home);
            closeQuietly(socket);
            return;
        }
        Connection connection;
        try {
            // Small replies go out at once: without TCP_NODELAY, Nagle's algorithm would hold a reply back while an
            // earlier one is unacknowledged (the seed's sticky-packet cause, on the sending side). AF_UNIX has no Nagle.
            if (socketFile == null) {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            StreamHandler handler = handlers.apply(owner);
            if (proxyAccepted != null) {
                handler = new ProxyProtocolHandler(handler, options.proxyTimeout(), proxyAccepted[home],
                        proxyFailed[home]);
            }
            connection = new Connection(owner, socket, service, handler, limits, onConnectionClosed[home], tls);
        } catch (IOException e) {
            log.debug("accept on {}: connection failed before it started: {}", service, e.toString());
            uncount(home);
            closeQuietly(socket);
            return;
        } catch (RuntimeException e) {
            // The handler factory threw: this one connection is refused, the listener goes on.
            owner.stats.handlerErrors++;
            log.warn("{}: the handler factory failed; closing the new connection", service, e);
            uncount(home);
            closeQuietly(socket);
            return;
        }
        owner.stats.connectionsAccepted++;
        if (socketFile != null) {
            owner.stats.connectionsAcceptedUnix++;
        }
        if (owner.trace().on) {
            owner.trace().event("accept #{} from {} on {}", connection.id(), connection.peer(), service);
        }
        log.debug("#{} accepted on {} from {}", connection.id(), service, connection.peer());
        try {
            connection.open(null);
        } catch (IOException e) {
            connection.close(CloseReason.RESET);
        }
    }

    private void reject(SocketChannel socket) {
        closeQuietly(socket);
        stats.connectionsRejected++;
        stats.closedByReason[CloseReason.LIMIT.ordinal()]++;
        rejectedSinceLog++;
        long now = System.nanoTime();
        if (now - lastRejectLogNanos >= REJECT_LOG_INTERVAL_NANOS || lastRejectLogNanos == 0) {
            logRejections();
        } else if (rejectLogTimer == null) {
            // A storm is logged once a second at most; the timer reports the tail of a burst that then stops.
            rejectLogTimer = reactor.scheduleAt(lastRejectLogNanos + REJECT_LOG_INTERVAL_NANOS,
                    "reject-log " + service, this::logRejections);
        }
        if (reactor.trace().on) {
            reactor.trace().event("close (limit): {} over its maximum of {} connections", service,
                    limits.maxConnections());
        }
    }

    private void logRejections() {
        if (rejectLogTimer != null) {
            rejectLogTimer.cancel();
            rejectLogTimer = null;
        }
        if (rejectedSinceLog == 0) {
            return;
        }
        log.warn("{}: {} connection(s) refused: {} open, its maximum is {}", service, rejectedSinceLog, activeConnections(),
                limits.maxConnections());
        lastRejectLogNanos = System.nanoTime();
        rejectedSinceLog = 0;
    }

    private void pauseAccepting(IOException cause) {
        if (resumeTimer != null) {
            return;
        }
        stats.acceptPauses++;
        log.warn("{}: accept failed ({}); pausing accepts for {} ms", service, cause.getMessage(),
                limits.acceptBackoff().toMillis());
        key.interestOps(0);
        resumeTimer = reactor.schedule(limits.acceptBackoff(), "resume-accept " + service, this::resumeAccepting);
    }

    private void resumeAccepting() {
        resumeTimer = null;
        if (key.isValid()) {
            key.interestOps(OP_ACCEPT);
            log.info("{}: accepting again", service);
        }
    }

    /**
     * Stops listening: new connections are refused from now on; open ones are not touched. An AF_UNIX listener also
     * deletes its socket file (if it is still the one its bind created). Also done for every listener when the reactor
     * shuts down or stops. Any thread (off the reactor thread it is handed to the reactor and happens soon after this
     * returns).
     */
    public void close() {
        if (!reactor.inReactorThread()) {
            reactor.execute(this::close);
            return;
        }
        if (closed) {
            return;
        }
        closed = true;
        if (resumeTimer != null) {
            resumeTimer.cancel();
        }
        if (rejectLogTimer != null) {
            rejectLogTimer.cancel();
        }
        key.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("{}: closing the listener failed: {}", service, e.toString());
        }
        if (socketFile != null) {
            socketFile.delete(); // the kernel leaves the file behind; a restart would find it stale
        }
    }

    @Override
    void failed(Throwable cause) {
        // Only a bug gets here; the listener itself stays up.
        log.warn("{}: accept handler failed; still listening", service, cause);
    }

    @Override
    void rekeyed(SelectionKey newKey) {
        key = newKey;
    }

    @Override
    void forceClose() {
        close();
    }

    @Override
    void beginShutdown(Duration deadline) {
        close();
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do for a socket we are dropping
        }
    }

    @Override
    public String toString() {
        return service + " on " + boundAddress;
    }
}
