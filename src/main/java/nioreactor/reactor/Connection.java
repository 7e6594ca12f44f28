package nioreactor.reactor;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream connection on a reactor (TCP, or AF_UNIX: both behave the same here), accepted by a listener or opened
 * by {@link Reactor#connect}: it reads into the reactor's shared buffer, hands the bytes to its {@link StreamHandler}, and writes through a write queue with the
 * semantics of Python's {@code sendall}. Its life is the explicit state machine of {@link ConnectionState}.
 *
 * <p><b>Threads.</b> Every method is for the reactor thread that owns the connection ({@link #reactor()}), which is
 * where handlers run anyway, except the fixed facts {@link #reactor()}, {@link #id()}, {@link #service()},
 * {@link #localAddress()} and {@link #remoteAddress()}, which any thread may read. The methods that change the
 * connection ({@code send}, {@code close}, {@code closeAfterFlush}, {@code pauseReading}, {@code resumeReading}) check
 * the thread on every call, not only under {@code -ea}, and throw {@link IllegalStateException} off it: a send from
 * the wrong thread would otherwise corrupt the write queue silently. A handler may send to any other connection of
 * the same reactor (a chat room's fan-out). To reach a connection from another thread, or on another reactor, hand a
 * task to its reactor: {@code other.reactor().execute(() -> other.send(copy))}, with a copy of the bytes, since the
 * read buffer is reused.
 *
 * <p><b>Backpressure.</b> {@link #send} never blocks and never drops: what the socket does not take at once is queued.
 * Above the {@link Limits#highWater() high water mark} the connection is {@link #isWritable() unwritable} and the
 * reactor stops reading it, until the queue falls under the low water mark; the handler hears of both edges in
 * {@link StreamHandler#onWritabilityChanged}. A handler that wants its own flow control can also
 * {@link #pauseReading()} and {@link #resumeReading()}.
 *
 * <p><b>TLS.</b> A connection made with a {@link TlsContext} runs its handler over TLS unchanged: the handler hears
 * {@code onOpen} once the handshake is done, gets plaintext in {@code onData}, and {@link #send} takes plaintext. What
 * is queued and counted against the water marks ({@link #pendingBytes}) is then ciphertext. See {@link TlsTransport}.
 *
 * <p>An idle connection holds no buffer: its cost is this object, its queue's few fields and the JDK's channel and key
 * (and, over TLS, its {@code SSLEngine}).
 */
public final class Connection extends IoHandler {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final Reactor reactor;
    private final Stats stats;
    private final Trace trace;
    private final SocketChannel channel;
    private final String service;
    private final StreamHandler handler;
    private final Limits limits;
    private final Runnable onClosed;
    private final WriteQueue out;
    private final long id;
    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;
    private final boolean unix;
    /** Null for a plaintext connection: the hot path then pays one null check for TLS. */
    private final TlsTransport tls;

    private SelectionKey key;
    /** An outbound connection's future, completed once the handler has heard onOpen; null for accepted ones. */
    private CompletableFuture<Connection> connected;
    private ConnectionState state = ConnectionState.OPEN;
    /** Why the connection will close once it is done flushing (DRAINING, LINGERING, INPUT_CLOSED). */
    private CloseReason closeReason = CloseReason.PEER_EOF;
    /** The interest ops last given to the key; changing them costs work in the selector, so only real changes go. */
    private int interestOps;
    /**
     * The handler's own pause ({@link #pauseReading}), orthogonal to the state: a connection may be paused by its
     * handler and by the water marks at once, and reads again only when neither holds it.
     */
    private boolean pausedByHandler;
    /** Null unless the idle timeout is on. */
    private LazyDeadline idle;
    /** Armed only while output is pending, when a write timeout is set: catches a peer that stopped reading. */
    private LazyDeadline writeStall;
    private Timer closeDeadline;
    private Object attachment;
    /** The client's address as a trusted PROXY protocol header gave it, or null. */
    private SocketAddress proxiedClient;
    // For the dashboard (ConnectionInfo): plain fields, stamped with the loop's clock, not a clock call per I/O.
    private long bytesIn;
    private long bytesOut;
    private long openedNanos;
    private long lastProgressNanos;

    Connection(Reactor reactor, SocketChannel channel, String service, StreamHandler handler, Limits limits,
               Runnable onClosed, TlsContext tlsContext) throws IOException {
        this.reactor = reactor;
        this.stats = reactor.stats;
        this.trace = reactor.trace();
        this.channel = channel;
        this.service = service;
        this.handler = handler;
        this.limits = limits;
        this.onClosed = onClosed;
        this.out = new WriteQueue(limits.highWater(), limits.lowWater(), new WriteQueue.Listener() {
            @Override
            public void pendingChanged(boolean pending) {
                Connection.this.pendingChanged(pending);
            }

            @Override
            public void writabilityChanged(boolean writable) {
                Connection.this.writabilityChanged(writable);
            }
        });
        this.id = reactor.nextConnectionId();
        this.localAddress = channel.getLocalAddress();
        this.remoteAddress = channel.getRemoteAddress();
        this.unix = remoteAddress instanceof UnixDomainSocketAddress;
        if (tlsContext == null) {
            this.tls = null;
        } else {
            // The peer's address names the session cache entry (and, for a client without a peer host, SNI).
            InetSocketAddress peer = remoteAddress instanceof InetSocketAddress inet ? inet : null;
            this.tls = new TlsTransport(this, tlsContext.newEngine(peer == null ? null : peer.getHostString(),
                    peer == null ? -1 : peer.getPort()), tlsContext);
        }
    }

    /**
     * Registers with the selector for reading (taking over the key of a just-connected channel) and tells the handler,
     * at once or, over TLS, once the handshake is done; then completes {@code connected} (outbound only, else null).
     */
    void open(CompletableFuture<Connection> connected) throws IOException {
        this.connected = connected;
        stats.connectionsActive++; // first: a failed register closes it, and closing counts it down
        if (unix) {
            stats.connectionsActiveUnix++;
        }
        key = reactor.register(channel, OP_READ, this);
        interestOps = OP_READ;
        long now = System.nanoTime();
        openedNanos = now;
        lastProgressNanos = now;
        if (limits.idleTimeoutEnabled()) {
            idle = new LazyDeadline(reactor, "idle #" + id, limits.idleTimeout(), this::idleExpired);
            idle.start(now);
        }
        if (limits.writeTimeoutEnabled()) {
            writeStall = new LazyDeadline(reactor, "write-stall #" + id, limits.writeTimeout(), this::writeStalled);
        }
        if (tls != null) {
            tls.start();
        } else {
            opened();
        }
    }

    private void opened() {
        try {
            handler.onOpen(this);
        } catch (RuntimeException e) {
            stats.handlerErrors++;
            failed(e);
        }
        if (connected == null) {
            return;
        }
        if (state == ConnectionState.CLOSED) {
            // onOpen threw (logged, counted): the caller must not be handed a connection that is already gone.
            connected.completeExceptionally(new java.net.ConnectException("connected to " + remoteAddress
                    + ", but the handler failed in onOpen and the connection was closed"));
        } else {
            connected.complete(this);
        }
    }

    // ------------------------------------------------------------------------------------- what it is

    /** {@return a number unique within its reactor, shown in logs and traces as {@code #id}} */
    public long id() {
        return id;
    }

    /** {@return the reactor this connection lives on, for {@link Reactor#execute} and {@link Reactor#schedule}} */
    public Reactor reactor() {
        return reactor;
    }

    /** {@return the listener's service name, or {@code "outbound"} for a connection made by {@link Reactor#connect}} */
    public String service() {
        return service;
    }

    /** {@return where the connection is in its life} */
    public ConnectionState state() {
        return state;
    }

    /** {@return true when closed or closing: no longer reading requests (DRAINING, LINGERING, CLOSED)} */
    public boolean isClosing() {
        return state == ConnectionState.DRAINING || state == ConnectionState.LINGERING
                || state == ConnectionState.CLOSED;
    }

    /** {@return this end's address} */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /**
     * The peer's address as the kernel reports it: an {@link InetSocketAddress} for TCP (behind a proxy, the proxy's:
     * {@link #clientAddress()} is the client). For AF_UNIX it is a {@link UnixDomainSocketAddress}, and for an accepted
     * connection usually an empty one (clients rarely bind a path of their own); {@link #peer()} names such a peer by
     * the listener's path instead.
     *
     * @return the remote address, as the kernel reports it
     */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    /**
     * {@return who the client is}: the source address of the PROXY protocol header that opened this connection, when its
     * listener was told to expect one ({@link ListenOptions#expectProxyHeader}) and the proxy named a client; else
     * {@link #remoteAddress()}. A header is never taken from a listener that did not expect one, so a client cannot
     * claim another's address by sending one. What logs, traces and services (the chat room's {@code /who}) show.
     */
    public SocketAddress clientAddress() {
        return proxiedClient != null ? proxiedClient : remoteAddress;
    }

    /** Set by the PROXY protocol reader, before the service's handler hears of the connection. */
    void proxiedClient(SocketAddress client) {
        assert reactor.inReactorThread();
        proxiedClient = client;
    }

    /**
     * The connection's socket family.
     *
     * @return {@link StandardProtocolFamily#INET} or {@link StandardProtocolFamily#INET6} for TCP, or
     *         {@link StandardProtocolFamily#UNIX}
     */
    public StandardProtocolFamily family() {
        if (unix) {
            return StandardProtocolFamily.UNIX;
        }
        return remoteAddress instanceof InetSocketAddress inet && inet.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /**
     * The other end, as logs and the trace show it (the client's address behind a proxy that sent a PROXY header):
     * the family, then where: {@code tcp 127.0.0.1:54321},
     * {@code tcp [::1]:54321}, or {@code unix /run/app.sock}. An AF_UNIX peer has no port and usually no path of its
     * own, so the path shown is the peer's if it bound one, else the socket file both ends share (the listener's, or
     * the one connected to).
     *
     * @return the family and the address, e.g. {@code tcp 127.0.0.1:54321} or {@code unix /run/app.sock}
     */
    public String peer() {
        if (clientAddress() instanceof InetSocketAddress inet) {
            String host = inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
            return "tcp " + (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        if (unix) {
            String path = ((UnixDomainSocketAddress) remoteAddress).getPath().toString();
            if (path.isEmpty() && localAddress instanceof UnixDomainSocketAddress local) {
                path = local.getPath().toString();
            }
            return "unix " + (path.isEmpty() ? "(unnamed)" : path);
        }
        return String.valueOf(remoteAddress);
    }

    /** {@return bytes handed to {@link #send} and not yet taken by the socket; over TLS, the ciphertext they became} */
    public long pendingBytes() {
        return out.pending();
    }

    /** {@return false from the moment pending output passed the high water mark until it fell under the low one} */
    public boolean isWritable() {
        return out.isWritable();
    }

    /**
     * True when {@code bytes} more can be queued without taking pending output past {@code maxPending}, or when
     * nothing is pending at all (a consumer that is all caught up always gets one more message, whatever its size).
     * The slow-consumer test shared by the chat room's fan-out and the dashboard's event stream: a producer that must
     * not wait for one slow reader asks this before each send, and cuts (the chat room) or skips (the dashboard) the
     * reader that fails it.
     *
     * @param bytes      the size of the next message
     * @param maxPending the most output this consumer may have pending
     * @return whether sending {@code bytes} now keeps this consumer within {@code maxPending}
     */
    public boolean canTake(long bytes, long maxPending) {
        long pending = out.pending();
        return pending == 0 || pending + bytes <= maxPending;
    }

    /** {@return bytes read from this connection since it opened} */
    public long bytesRead() {
        return bytesIn;
    }

    /** {@return bytes written to the socket (not merely queued) since it opened} */
    public long bytesWritten() {
        return bytesOut;
    }

    /** {@return a snapshot of this connection, for a dashboard or a log} Reactor thread only. */
    public ConnectionInfo info() {
        assert reactor.inReactorThread() : "info off the reactor thread";
        return info(System.nanoTime());
    }

    ConnectionInfo info(long now) {
        return new ConnectionInfo(id, service, reactor.name(), remoteAddress, peer(), state, (interestOps & OP_READ) != 0,
                (interestOps & OP_WRITE) != 0, out.pending(), limits.highWater(), limits.lowWater(), bytesIn, bytesOut,
                now - openedNanos, Math.max(0, now - lastProgressNanos));
    }

    /**
     * Attaches any object of the handler's, e.g. a session; replaces the previous one.
     *
     * @param value the object, or null to forget the previous one
     */
    public void attach(Object value) {
        attachment = value;
    }

    /**
     * {@return the object last {@link #attach attached}, or null}
     *
     * @param <T> the type the caller expects (the cast is unchecked)
     */
    @SuppressWarnings("unchecked")
    public <T> T attachment() {
        return (T) attachment;
    }

    /** The single-thread rule, checked always: one comparison, against silent corruption of the write queue. */
    private void onReactorThread(String what) {
        if (!reactor.inReactorThread()) {
            throw new IllegalStateException(what + " on #" + id + " called on " + Thread.currentThread().getName()
                    + ", not on its reactor's thread " + reactor.name() + "; hand it over with reactor().execute(...)");
        }
    }

    // ------------------------------------------------------------------------------------ readiness

    @Override
    void ready(int readyOps) {
        // Write first: draining the queue may move the connection out of PAUSED, and frees the socket for replies.
        if ((readyOps & OP_WRITE) != 0) {
            flush();
        }
        if ((readyOps & OP_READ) != 0 && state != ConnectionState.CLOSED) {
            read();
        }
    }

    private void read() {
        ByteBuffer buf = reactor.readBuffer();
        int budget = limits.readBudget();
        while (budget > 0 && wantsInput()) {
            buf.clear();
            // Over TLS, the start of a record split across reads goes first, so the engine sees it whole.
            int carried = tls == null ? 0 : tls.carryInto(buf);
            if (budget < buf.remaining()) {
                buf.limit(carried + budget);
            }
            int asked = buf.remaining();
            int n;
            try {
                n = channel.read(buf);
            } catch (IOException e) {
                closeOnError("read", e);
                return;
            }
            if (n < 0) {
                if (tls != null) {
                    tls.inputEnded(carried > 0);
                }
                onPeerEof();
                return;
            }
            if (n == 0) {
                if (carried > 0) {
                    tls.unwrap(buf.flip()); // keeps the partial record again
                }
                return;
            }
            budget -= n;
            stats.bytesRead += n;
            bytesIn += n;
            progress();
            boolean answering = state == ConnectionState.OPEN;
            if (trace.on) {
                trace.event("read #{} {} bytes{}", id, n, answering ? "" : " (discarded: " + state + ")");
            }
            if (tls != null) {
                if (answering) {
                    tls.unwrap(buf.flip());
                }
            } else if (answering) {
                buf.flip();
                handler.onData(this, buf);
            }
            if (n < asked) {
                return; // the socket is drained; another read would only return 0
            }
        }
    }

    private boolean wantsInput() {
        return switch (state) {
            case OPEN -> !pausedByHandler && (tls == null || !tls.blocksReading());
            case DRAINING, LINGERING -> true; // read and discard, so that closing does not turn into a reset
            case PAUSED, INPUT_CLOSED, CLOSED -> false;
        };
    }

    private void onPeerEof() {
        if (tls != null && !tls.handlerOpened()) {
            close(CloseReason.PEER_EOF); // during the handshake: nobody to flush replies to
            return;
        }
        boolean answering = state == ConnectionState.OPEN || state == ConnectionState.PAUSED;
        String lost = answering ? handler.partialMessage() : null;
        if (lost != null) {
            log.debug("#{} peer closed in the middle of a message; {} cut short", id, lost);
        }
        if (trace.on) {
            trace.event("eof #{} (peer closed its side){}", id, lost == null ? "" : "; cut short: " + lost);
        }
        if (state == ConnectionState.LINGERING || out.isEmpty()) {
            close(answering ? CloseReason.PEER_EOF : closeReason);
            return;
        }
        if (answering) {
            closeReason = CloseReason.PEER_EOF;
        }
        state = ConnectionState.INPUT_CLOSED;
        updateInterest();
    }

    /** Stops reading this connection until {@link #resumeReading()}; its peer is then slowed by TCP flow control. */
    public void pauseReading() {
        onReactorThread("pauseReading");
        pausedByHandler = true;
        updateInterest();
    }

    /** Undoes {@link #pauseReading()}. Reading still waits while the connection is over its high water mark. */
    public void resumeReading() {
        onReactorThread("resumeReading");
        pausedByHandler = false;
        updateInterest();
    }

    /** {@return true while the handler has paused reading} */
    public boolean isReadingPaused() {
        return pausedByHandler;
    }

    // --------------------------------------------------------------------------------------- output

    /**
     * sendall: writes {@code src} now as far as the socket takes it and queues the rest; every byte is written in
     * order, or the connection is closed on an error. {@code src} is consumed and may be reused once this returns.
     * After the connection closed (or finished flushing and sent FIN), the bytes are dropped and counted as abandoned.
     *
     * @param src the bytes between its position and limit; its position ends at its limit
     */
    public void send(ByteBuffer src) {
        onReactorThread("send");
        if (state == ConnectionState.CLOSED || state == ConnectionState.LINGERING) {
            abandon(src);
            return;
        }
        if (tls != null) {
            tls.send(src);
        } else {
            write(src);
        }
    }

    /** Drops what {@link #send} got too late (closed, or our FIN or close_notify already sent). */
    void abandon(ByteBuffer src) {
        stats.bytesAbandoned += src.remaining();
        log.debug("#{} is {}; {} bytes abandoned", id, state, src.remaining());
        src.position(src.limit());
    }

    /** sendall of bytes as they go on the wire: plaintext, or over TLS the ciphertext {@link TlsTransport} made. */
    void write(ByteBuffer src) {
        int offered = src.remaining();
        long written;
        try {
            written = out.write(channel, src);
        } catch (IOException e) {
            closeOnError("write", e);
            return;
        }
        stats.bytesWritten += written;
        bytesOut += written;
        // What this call queued, not the change in out.pending(): the queue's edges call the handler from inside
        // out.write, and a handler that closes the connection there (a slow consumer cut in onWritabilityChanged) or
        // sends again has already moved out.pending() and counted its own part.
        stats.bytesPending += offered - written;
        if (out.pending() > stats.peakConnectionPending) {
            stats.peakConnectionPending = out.pending();
        }
        if (written > 0) {
            progress();
        }
        if (trace.on) {
            trace.event("write #{} {} of {} bytes, {} pending", id, written, offered, out.pending());
        }
    }

    private void flush() {
        long pendingBefore = out.pending();
        long written;
        try {
            // Its own count, not the change in out.pending(): the queue's edges (onDrained, onWritabilityChanged(true))
            // run inside flush, and a handler that sends from there (a producer resuming) queues more bytes, which
            // send() counts itself.
            written = out.flush(channel);
        } catch (IOException e) {
            // A gathering flush can fail after earlier batches went out: count those before closing.
            wrote(pendingBefore - out.pending());
            closeOnError("write", e);
            return;
        }
        wrote(written);
        if (trace.on) {
            trace.event("write #{} {} of {} pending bytes", id, written, pendingBefore);
        }
        if (out.isEmpty()) {
            onFlushed();
        }
    }

    private void onFlushed() {
        if (state == ConnectionState.INPUT_CLOSED) {
            close(closeReason);
        } else if (state == ConnectionState.DRAINING) {
            startLingering();
        }
    }

    private void wrote(long bytes) {
        stats.bytesWritten += bytes;
        bytesOut += bytes;
        stats.bytesPending -= bytes;
        if (bytes > 0) {
            progress();
            if (writeStall != null) {
                writeStall.progress(System.nanoTime());
            }
        }
    }

    /** The write queue's first edge: some bytes are pending, or none are any more. */
    private void pendingChanged(boolean pending) {
        updateInterest();
        if (writeStall != null) {
            if (pending) {
                writeStall.start(System.nanoTime());
            } else {
                writeStall.stop();
            }
        }
        if (!pending && state != ConnectionState.CLOSED) {
            try {
                handler.onDrained(this);
            } catch (RuntimeException e) {
                callbackFailed(e);
            }
        }
    }

    /**
     * A peer that sends, never reads, and perhaps half-closes would otherwise keep its descriptor and up to the high
     * water mark of our memory forever (idle timeouts are off by default, and a paused or half-closed connection is
     * not idle in the usual sense).
     */
    private void writeStalled() {
        if (state == ConnectionState.CLOSED || out.isEmpty()) {
            return;
        }
        log.debug("#{} made no write progress for {} ms with {} bytes pending; the peer stopped reading", id,
                writeStall.quietNanos(System.nanoTime()) / 1_000_000, out.pending());
        close(CloseReason.WRITE_TIMEOUT);
    }

    /** The write queue's second edge: over the high water mark, or back under the low one. */
    private void writabilityChanged(boolean writable) {
        if (!writable && state == ConnectionState.OPEN) {
            state = ConnectionState.PAUSED;
            stats.backpressurePauses++;
            if (trace.on) {
                trace.event("reading paused #{} ({} bytes pending > high water mark)", id, out.pending());
            }
        } else if (writable && state == ConnectionState.PAUSED) {
            state = ConnectionState.OPEN;
            if (trace.on) {
                trace.event("reading resumed #{} ({} bytes pending <= low water mark)", id, out.pending());
            }
        }
        updateInterest();
        if (state != ConnectionState.CLOSED) {
            try {
                handler.onWritabilityChanged(this, writable);
            } catch (RuntimeException e) {
                callbackFailed(e);
            }
        }
    }

    /** Derives the interest ops from the state and the queue, and tells the selector only when they change. */
    private void updateInterest() {
        if (state == ConnectionState.CLOSED) {
            return;
        }
        int ops = (wantsInput() ? OP_READ : 0) | (out.isEmpty() ? 0 : OP_WRITE);
        if (ops != interestOps) {
            if (trace.on && ((ops ^ interestOps) & OP_WRITE) != 0) {
                trace.event("OP_WRITE {} #{} ({} bytes pending)", (ops & OP_WRITE) != 0 ? "on" : "off", id, out.pending());
            }
            interestOps = ops;
            key.interestOps(ops);
        }
    }

    // -------------------------------------------------------------------------------------- closing

    /**
     * Closes politely: stops answering, flushes what is already queued, sends FIN, then closes. The way to end a
     * connection without destroying replies in flight: closing a socket with unread input makes the kernel send a
     * reset, which can discard replies the peer has not read yet. So once the queue is flushed and FIN sent, if the
     * peer has sent bytes we have not read, the connection keeps reading and discarding until the peer's FIN; if it
     * has sent nothing more, it closes at once rather than keep an idle peer waiting (a peer that starts sending
     * again after that moment can still get a reset: the one race this leaves). The whole sequence is bounded by the
     * listener's {@link Limits#lingerTimeout()}.
     *
     * @param reason what {@link StreamHandler#onClose} and the metrics are told
     */
    public void closeAfterFlush(CloseReason reason) {
        closeAfterFlush(reason, limits.lingerTimeout());
    }

    void closeAfterFlush(CloseReason reason, Duration deadline) {
        onReactorThread("closeAfterFlush");
        if (state == ConnectionState.CLOSED || state == ConnectionState.LINGERING || state == ConnectionState.DRAINING) {
            return;
        }
        if (closeDeadline == null) {
            closeDeadline = reactor.schedule(deadline, "close-deadline #" + id, this::deadlinePassed);
        }
        if (state == ConnectionState.INPUT_CLOSED) {
            return; // already finishing (for its own reason): it closes as soon as its queue drains
        }
        closeReason = reason;
        state = ConnectionState.DRAINING;
        if (out.isEmpty()) {
            startLingering();
        } else {
            updateInterest();
        }
    }

    private void startLingering() {
        if (tls != null && tls.sendCloseNotify() && !out.isEmpty()) {
            return; // still DRAINING: close_notify waits in the queue, and once it is out this runs again
        }
        if (state == ConnectionState.CLOSED) {
            return; // writing close_notify failed
        }
        state = ConnectionState.LINGERING;
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            close(closeReason);
            return;
        }
        // If the peer has sent nothing we have not read, closing now cannot turn into a reset: do it at once rather
        // than make an idle peer wait. Otherwise keep reading (and discarding) until its FIN or the deadline. The probe
        // reads into a buffer of its own: this may run inside a handler's onData (closeAfterFlush on itself or on
        // another connection), and that handler is still reading the shared read buffer.
        ByteBuffer probe = reactor.discardBuffer();
        probe.clear();
        try {
            int n = channel.read(probe);
            if (n <= 0) {
                close(closeReason);
                return;
            }
        } catch (IOException e) {
            close(closeReason);
            return;
        }
        updateInterest();
    }

    private void deadlinePassed() {
        closeDeadline = null;
        if (state != ConnectionState.CLOSED) {
            log.debug("#{} did not finish closing in time ({} bytes unsent)", id, out.pending());
            close(closeReason);
        }
    }

    private void closeOnError(String op, IOException e) {
        // Resets are normal life for a server: DEBUG, and no stack trace.
        log.debug("#{} {} failed: {}", id, op, e.toString());
        close(CloseReason.RESET);
    }

    /**
     * Closes now; pending bytes are counted as abandoned. Closing a closed connection does nothing.
     *
     * @param reason what {@link StreamHandler#onClose} and the metrics are told
     */
    public void close(CloseReason reason) {
        onReactorThread("close");
        if (state == ConnectionState.CLOSED) {
            return;
        }
        if (tls != null) {
            tls.closing(reason, out.isEmpty()); // close_notify, if the socket can take it in order
        }
        state = ConnectionState.CLOSED;
        long abandoned = out.discard();
        stats.bytesPending -= abandoned;
        stats.bytesAbandoned += abandoned;
        if (abandoned > 0) {
            log.debug("#{} closed ({}) with {} bytes unsent", id, reason.label(), abandoned);
        }
        if (idle != null) {
            idle.stop();
        }
        if (writeStall != null) {
            writeStall.stop();
        }
        if (closeDeadline != null) {
            closeDeadline.cancel();
        }
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("#{} close failed: {}", id, e.toString());
        }
        stats.connectionsActive--;
        if (unix) {
            stats.connectionsActiveUnix--;
        }
        stats.closedByReason[reason.ordinal()]++;
        if (trace.on) {
            trace.event("close #{} ({})", id, reason.label());
        }
        log.debug("#{} closed: {}", id, reason.label());
        if (onClosed != null) {
            onClosed.run();
        }
        if (tls == null || tls.handlerOpened()) {
            try {
                handler.onClose(this, reason);
            } catch (RuntimeException e) {
                stats.handlerErrors++;
                log.warn("#{} onClose handler failed", id, e);
            }
        } else if (connected != null) {
            // An outbound TLS connection whose handshake failed: to its handler, a connect that failed.
            Connector.fail(reactor, remoteAddress, handler, tls.failure(), connected);
        }
        reactor.connectionClosed();
    }

    // ------------------------------------------------------------------------------- for the TLS layer

    /** Plaintext for the handler, unless the connection stopped answering (closing) while it was decoded. */
    void deliver(ByteBuffer plaintext) {
        if (state != ConnectionState.OPEN && state != ConnectionState.PAUSED) {
            return;
        }
        try {
            handler.onData(this, plaintext);
        } catch (RuntimeException e) {
            // Caught here, not in the loop: this may run in a task (a delegated task's end), where the loop would
            // only log it and leave the connection open.
            stats.handlerErrors++;
            failed(e);
        }
    }

    void tlsEstablished() {
        opened();
    }

    /** The peer's close_notify: like a FIN. */
    void tlsInputClosed() {
        onPeerEof();
    }

    void tlsReadingChanged() {
        updateInterest();
    }

    boolean outputIdle() {
        return out.isEmpty();
    }

    /** A last record (alert, close_notify) straight to the socket, as the connection closes; failures ignored. */
    void writeBestEffort(ByteBuffer src) {
        try {
            stats.bytesWritten += channel.write(src);
        } catch (IOException e) {
            log.debug("#{} last TLS record not sent: {}", id, e.toString());
        }
    }

    // ---------------------------------------------------------------------------------- idle timeout

    private void progress() {
        lastProgressNanos = reactor.loopNanos;
        if (idle != null) {
            idle.progress(System.nanoTime()); // a vDSO call, and only when idle timeouts are on
        }
    }

    private void idleExpired() {
        if (state != ConnectionState.CLOSED) {
            log.debug("#{} idle for {} ms; closing", id, idle.quietNanos(System.nanoTime()) / 1_000_000);
            close(CloseReason.IDLE);
        }
    }

    // ------------------------------------------------------------------------------ IoHandler plumbing

    /**
     * A callback that runs in the middle of a write (the queue's edges) failed: close in a task of its own rather
     * than from inside the write queue, which is still updating its own state and the counters.
     */
    private void callbackFailed(RuntimeException e) {
        stats.handlerErrors++;
        reactor.execute(() -> failed(e));
    }

    @Override
    void failed(Throwable cause) {
        log.warn("#{} handler failed; closing this connection only", id, cause);
        close(CloseReason.HANDLER_ERROR);
    }

    @Override
    void rekeyed(SelectionKey newKey) {
        key = newKey;
    }

    @Override
    void forceClose() {
        close(CloseReason.SHUTDOWN);
    }

    @Override
    void beginShutdown(Duration deadline) {
        closeAfterFlush(CloseReason.SHUTDOWN, deadline);
    }

    @Override
    public String toString() {
        return "#" + id + " " + state;
    }
}
