package nioreactor.reactor;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted TCP connection: reads into the reactor's shared buffer, hands the bytes to its protocol, and writes
 * replies through a {@link WriteQueue}. Its life is the explicit state machine of {@link ConnectionState}.
 *
 * <p>Reactor thread only, like everything attached to a selection key. An idle connection holds no buffer: its cost
 * is this object, its queue's few fields and the JDK's channel and key.
 */
public final class Connection implements IoHandler, WriteQueue.Listener {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final Reactor reactor;
    private final Stats stats;
    private final Trace trace;
    private final SocketChannel channel;
    private final StreamHandler handler;
    private final Limits limits;
    private final Runnable onClosed;
    private final WriteQueue out;
    private final long id;

    private SelectionKey key;
    private ConnectionState state = ConnectionState.OPEN;
    /** Why the connection will close once it is done flushing (DRAINING, LINGERING, INPUT_CLOSED). */
    private CloseReason closeReason = CloseReason.PEER_EOF;
    /** The interest ops last given to the key; changing them costs work in the selector, so only real changes go. */
    private int interestOps;
    private long lastProgressNanos;
    private Timer idleTimer;
    /** Armed only while output is pending, when a write timeout is set: catches a peer that stopped reading. */
    private Timer writeStallTimer;
    private long lastWriteNanos;
    private Timer closeDeadline;

    Connection(Reactor reactor, SocketChannel channel, StreamHandler handler, Limits limits, Runnable onClosed) {
        this.reactor = reactor;
        this.stats = reactor.stats();
        this.trace = reactor.trace();
        this.channel = channel;
        this.handler = handler;
        this.limits = limits;
        this.onClosed = onClosed;
        this.out = new WriteQueue(limits.highWater(), limits.lowWater(), this);
        this.id = reactor.nextConnectionId();
    }

    /** Registers with the selector for reading and arms the idle timer. */
    void open() throws IOException {
        key = reactor.register(channel, OP_READ, this);
        interestOps = OP_READ;
        stats.connectionsActive++;
        stats.connectionsAccepted++;
        if (limits.idleTimeoutEnabled()) {
            lastProgressNanos = System.nanoTime();
            armIdleTimer();
        }
    }

    public long id() {
        return id;
    }

    public ConnectionState state() {
        return state;
    }

    public long pendingBytes() {
        return out.pending();
    }

    public SocketAddress remoteAddress() {
        try {
            return channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------ readiness

    @Override
    public void ready(int readyOps) {
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
            if (budget < buf.capacity()) {
                buf.limit(budget);
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
                onPeerEof();
                return;
            }
            if (n == 0) {
                return;
            }
            budget -= n;
            stats.bytesRead += n;
            progress();
            boolean answering = state == ConnectionState.OPEN;
            if (trace.on) {
                trace.event("read #{} {} bytes{}", id, n, answering ? "" : " (discarded: " + state + ")");
            }
            if (answering) {
                buf.flip();
                handler.onData(this, buf);
            }
            if (n < asked) {
                return; // the socket is drained; another read would only return 0
            }
        }
    }

    private boolean wantsInput() {
        return state == ConnectionState.OPEN || state == ConnectionState.DRAINING || state == ConnectionState.LINGERING;
    }

    private void onPeerEof() {
        String lost = state == ConnectionState.OPEN || state == ConnectionState.PAUSED ? handler.partialMessage() : null;
        if (lost != null) {
            log.debug("#{} peer closed in the middle of a message; {} cut short", id, lost);
        }
        if (trace.on) {
            trace.event("eof #{} (peer closed its side){}", id, lost == null ? "" : "; cut short: " + lost);
        }
        if (state == ConnectionState.LINGERING || out.isEmpty()) {
            close(state == ConnectionState.OPEN || state == ConnectionState.PAUSED ? CloseReason.PEER_EOF : closeReason);
            return;
        }
        if (state == ConnectionState.OPEN || state == ConnectionState.PAUSED) {
            closeReason = CloseReason.PEER_EOF;
        }
        state = ConnectionState.INPUT_CLOSED;
        updateInterest();
    }

    // --------------------------------------------------------------------------------------- output

    /**
     * sendall: writes {@code src} now as far as the socket takes it and queues the rest; every byte is written in
     * order or the connection is closed on an error. {@code src} is consumed, and may be reused once this returns.
     */
    public void send(ByteBuffer src) {
        assert reactor.inReactorThread() : "send off the reactor thread";
        if (state == ConnectionState.CLOSED) {
            stats.bytesAbandoned += src.remaining();
            log.debug("#{} is closed; {} reply bytes abandoned", id, src.remaining());
            src.position(src.limit());
            return;
        }
        int offered = src.remaining();
        long pendingBefore = out.pending();
        long written;
        try {
            written = out.write(channel, src);
        } catch (IOException e) {
            closeOnError("write", e);
            return;
        }
        stats.bytesWritten += written;
        stats.bytesPending += out.pending() - pendingBefore;
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
        try {
            out.flush(channel);
        } catch (IOException e) {
            // A gathering flush can fail after earlier batches went out: count those before closing.
            wrote(pendingBefore - out.pending());
            closeOnError("write", e);
            return;
        }
        long written = pendingBefore - out.pending();
        wrote(written);
        if (trace.on) {
            trace.event("write #{} {} of {} pending bytes", id, written, pendingBefore);
        }
        if (out.isEmpty()) {
            onDrained();
        }
    }

    private void onDrained() {
        if (state == ConnectionState.INPUT_CLOSED) {
            close(closeReason);
        } else if (state == ConnectionState.DRAINING) {
            startLingering();
        }
    }

    private void wrote(long bytes) {
        stats.bytesWritten += bytes;
        stats.bytesPending -= bytes;
        if (bytes > 0) {
            progress();
            if (writeStallTimer != null) {
                lastWriteNanos = System.nanoTime();
            }
        }
    }

    @Override
    public void pendingChanged(boolean pending) {
        updateInterest();
        if (pending && limits.writeTimeoutEnabled() && writeStallTimer == null) {
            lastWriteNanos = System.nanoTime();
            armWriteStallTimer();
        } else if (!pending && writeStallTimer != null) {
            writeStallTimer.cancel();
            writeStallTimer = null;
        }
    }

    private void armWriteStallTimer() {
        writeStallTimer = reactor.scheduleAt(lastWriteNanos + limits.writeTimeout().toNanos(), "write-stall #" + id,
                this::writeStallCheck);
    }

    /**
     * A peer that sends, never reads, and perhaps half-closes would otherwise keep its descriptor and up to the high
     * water mark of our memory forever (idle timeouts are off by default, and a paused or half-closed connection is
     * not idle in the usual sense). Like the idle timer, this one re-arms itself lazily on progress.
     */
    private void writeStallCheck() {
        writeStallTimer = null;
        if (state == ConnectionState.CLOSED || out.isEmpty()) {
            return;
        }
        long stalledFor = System.nanoTime() - lastWriteNanos;
        if (stalledFor >= limits.writeTimeout().toNanos()) {
            log.debug("#{} made no write progress for {} ms with {} bytes pending; the peer stopped reading", id,
                    stalledFor / 1_000_000, out.pending());
            close(CloseReason.WRITE_TIMEOUT);
        } else {
            armWriteStallTimer();
        }
    }

    @Override
    public void writabilityChanged(boolean writable) {
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
     * Stops answering, flushes the replies already queued, sends FIN, waits briefly for the peer's FIN, then closes:
     * the polite way to end a connection without destroying replies in flight. Bounded by {@code deadline}.
     */
    public void closeAfterFlush(CloseReason reason, Duration deadline) {
        assert reactor.inReactorThread();
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
        state = ConnectionState.LINGERING;
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            close(closeReason);
            return;
        }
        // If the peer has sent nothing we have not read, closing now cannot turn into a reset: do it at once rather
        // than make an idle peer wait. Otherwise keep reading (and discarding) until its FIN or the deadline.
        ByteBuffer buf = reactor.readBuffer();
        buf.clear();
        try {
            int n = channel.read(buf);
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

    /** Closes now. Pending bytes are counted as abandoned and logged. */
    public void close(CloseReason reason) {
        if (state == ConnectionState.CLOSED) {
            return;
        }
        state = ConnectionState.CLOSED;
        long abandoned = out.discard();
        stats.bytesPending -= abandoned;
        stats.bytesAbandoned += abandoned;
        if (abandoned > 0) {
            log.debug("#{} closed ({}) with {} bytes unsent", id, reason.label(), abandoned);
        }
        if (idleTimer != null) {
            idleTimer.cancel();
        }
        if (closeDeadline != null) {
            closeDeadline.cancel();
        }
        if (writeStallTimer != null) {
            writeStallTimer.cancel();
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
        stats.closedByReason[reason.ordinal()]++;
        if (trace.on) {
            trace.event("close #{} ({})", id, reason.label());
        }
        log.debug("#{} closed: {}", id, reason.label());
        onClosed.run();
    }

    // ---------------------------------------------------------------------------------- idle timeout

    private void progress() {
        if (idleTimer != null) {
            lastProgressNanos = System.nanoTime(); // a vDSO call, and only when idle timeouts are on
        }
    }

    /**
     * One timer per connection, re-armed lazily: progress only stores a timestamp, and the timer, when it fires,
     * either closes the connection or moves itself to the new deadline. No per-loop scan of all connections.
     */
    private void armIdleTimer() {
        idleTimer = reactor.scheduleAt(lastProgressNanos + limits.idleTimeout().toNanos(), "idle #" + id, this::idleCheck);
    }

    private void idleCheck() {
        if (state == ConnectionState.CLOSED) {
            return;
        }
        long idleFor = System.nanoTime() - lastProgressNanos;
        if (idleFor >= limits.idleTimeout().toNanos()) {
            log.debug("#{} idle for {} ms; closing", id, idleFor / 1_000_000);
            close(CloseReason.IDLE);
        } else {
            armIdleTimer();
        }
    }

    // ------------------------------------------------------------------------------ IoHandler plumbing

    @Override
    public void failed(Throwable cause) {
        log.warn("#{} handler failed; closing this connection only", id, cause);
        close(CloseReason.HANDLER_ERROR);
    }

    @Override
    public void rekeyed(SelectionKey newKey) {
        key = newKey;
    }

    @Override
    public void forceClose() {
        close(CloseReason.SHUTDOWN);
    }

    @Override
    public String toString() {
        return "#" + id + " " + state;
    }
}
