package nioreactor.reactor;

import static java.nio.channels.SelectionKey.OP_ACCEPT;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP listener on the reactor: accepts connections and gives each a {@link Connection} speaking one protocol.
 *
 * <p>Two guards keep accepting from hurting the connections already open: at most {@code acceptBudget} accepts per
 * loop iteration (a connect storm shares the loop with everyone else), and when {@code accept} itself fails (out of
 * file descriptors: EMFILE/ENFILE) accepting pauses for a back-off period. Without the pause the pending connection
 * stays in the backlog, the selector reports the listener ready again at once, and the loop spins at 100% CPU while
 * accomplishing nothing.
 */
public final class Acceptor implements IoHandler {
    private static final Logger log = LoggerFactory.getLogger(Acceptor.class);
    private static final long REJECT_LOG_INTERVAL_NANOS = 1_000_000_000L;

    private final Reactor reactor;
    private final Stats stats;
    private final String service;
    private final ServerSocketChannel channel;
    private final Supplier<StreamHandler> protocol;
    private final Limits limits;
    private final Runnable onConnectionClosed;
    private final InetSocketAddress boundAddress;

    private SelectionKey key;
    private Timer resumeTimer;
    private long lastRejectLogNanos;
    private long rejectedSinceLog;
    private Timer rejectLogTimer;

    private Acceptor(Reactor reactor, String service, ServerSocketChannel channel, Supplier<StreamHandler> protocol,
                     Limits limits, Runnable onConnectionClosed) throws IOException {
        this.reactor = reactor;
        this.stats = reactor.stats();
        this.service = service;
        this.channel = channel;
        this.protocol = protocol;
        this.limits = limits;
        this.onConnectionClosed = onConnectionClosed;
        this.boundAddress = (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Binds a listener and registers it. Reactor thread only. SO_REUSEADDR is on, so a restarted server binds again
     * at once even while its old connections sit in TIME_WAIT (the seed tutorial's "address already in use").
     */
    public static Acceptor bind(Reactor reactor, String service, InetSocketAddress address, int backlog,
                                Supplier<StreamHandler> protocol, Limits limits, Runnable onConnectionClosed)
            throws IOException {
        assert reactor.inReactorThread();
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(address, backlog);
            Acceptor acceptor = new Acceptor(reactor, service, channel, protocol, limits, onConnectionClosed);
            acceptor.key = reactor.register(channel, OP_ACCEPT, acceptor);
            return acceptor;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return boundAddress;
    }

    public String service() {
        return service;
    }

    @Override
    public void ready(int readyOps) {
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
            if (stats.connectionsActive >= limits.maxConnections()) {
                reject(socket);
            } else {
                open(socket);
            }
        }
    }

    private void open(SocketChannel socket) {
        try {
            // Small replies go out at once: without TCP_NODELAY, Nagle's algorithm would hold a reply back while an
            // earlier one is unacknowledged (the seed's sticky-packet cause, on the sending side).
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Connection connection = new Connection(reactor, socket, protocol.get(), limits, onConnectionClosed);
            connection.open();
            if (reactor.trace().on) {
                reactor.trace().event("accept #{} from {} on {}", connection.id(), socket.getRemoteAddress(), service);
            }
            log.debug("#{} accepted on {} from {}", connection.id(), service, socket.getRemoteAddress());
        } catch (IOException e) {
            log.debug("accept on {}: connection failed before it started: {}", service, e.toString());
            closeQuietly(socket);
        }
    }

    /** Over the limit: accepted and closed at once, so it does not sit in the backlog until the client times out. */
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
            reactor.trace().event("close (limit): over --max-connections {}", limits.maxConnections());
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
        log.warn("{}: {} connection(s) refused: {} open, --max-connections is {}", service, rejectedSinceLog,
                stats.connectionsActive, limits.maxConnections());
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

    /** Stops listening: new connections are refused from now on. Reactor thread only. */
    public void close() {
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
    }

    @Override
    public void failed(Throwable cause) {
        // Only a bug gets here; the listener itself stays up.
        log.warn("{}: accept handler failed; still listening", service, cause);
    }

    @Override
    public void rekeyed(SelectionKey newKey) {
        key = newKey;
    }

    @Override
    public void forceClose() {
        close();
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do for a socket we are dropping
        }
    }
}
