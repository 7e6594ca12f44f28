package nioreactor.reactor;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS layer of one {@link Connection}: between the socket and the handler, ciphertext in, plaintext out, and the
 * other way round, through one {@link SSLEngine}. The connection calls it only when it has one, so plaintext
 * connections pay a null check.
 *
 * <ul>
 *   <li><b>In:</b> the connection reads ciphertext into the reactor's shared read buffer (a partial record left from
 *       the last read first); {@link #unwrap} turns every whole record into plaintext in the shared application
 *       buffer, drives the handshake on the way, and hands the plaintext of the whole read to the handler in one
 *       {@code onData}, as a plaintext read would. A partial record at the end is copied aside (the only buffer a
 *       connection keeps of its own on the way in) until the next read completes it.</li>
 *   <li><b>Out:</b> {@link #send} wraps plaintext into the shared packet buffer and hands the ciphertext to the
 *       connection's write queue, so the water marks and the write timeout count ciphertext pending.</li>
 *   <li><b>Handshake:</b> the explicit {@link Phase} below, driven by the engine's NEED_WRAP / NEED_UNWRAP / NEED_TASK
 *       as readiness comes; bounded by the handshake timeout. The handler hears {@code onOpen} when it is done.</li>
 *   <li><b>Closing:</b> every close sends {@code close_notify} when the socket can still take it in order; the peer's
 *       {@code close_notify} is an end of input like a FIN (pending replies are flushed, then the connection closes);
 *       a FIN without {@code close_notify} is logged at DEBUG as a truncation.</li>
 * </ul>
 *
 * Reactor thread only, but for a delegated task running on the pool (it touches only the engine, which locks itself).
 */
final class TlsTransport {
    private static final Logger log = LoggerFactory.getLogger(TlsTransport.class);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** Where the TLS layer of a connection is; the handler is told of the connection only from ESTABLISHED on. */
    enum Phase {
        /** Exchanging handshake messages, as the engine asks (NEED_WRAP, NEED_UNWRAP, NEED_TASK); no plaintext yet. */
        HANDSHAKING,
        /**
         * A delegated task runs on the pool (only when {@link TlsContext.Builder#delegatedTasks} set one): reading
         * stops, and the handshake resumes on the reactor thread when it is done.
         */
        TASK_RUNNING,
        /** The handshake is done and the handler told ({@code onOpen}): plaintext flows both ways. */
        ESTABLISHED,
        /** Our close_notify is out (after ESTABLISHED): nothing more is wrapped; input is discarded until EOF. */
        CLOSING,
        /** The handshake never finished (failed, timed out, or the connection closed first); the handler never knew. */
        ABORTED
    }

    private final Connection connection;
    private final SSLEngine engine;
    private final TlsContext context;
    private final TlsBuffers buffers;
    private final TlsMetrics metrics;
    private final Trace trace;
    private final long id;
    private final long startNanos = System.nanoTime();
    /**
     * The engine's buffer sizes, asked once: {@code getSession()} takes the engine's lock, and the sizes it reports
     * before the handshake (the largest a record may be) are never smaller than the negotiated ones. A larger record
     * still works: BUFFER_OVERFLOW grows the shared buffer.
     */
    private final int packetSize;
    private final int appSize;

    private Phase phase = Phase.HANDSHAKING;
    /** The start of a record split across reads, copied out of the shared read buffer; null otherwise. */
    private ByteBuffer carry;
    /** Plaintext sent before the handshake finished (a greeting from outside onOpen), wrapped once it does. */
    private ByteBuffer early;
    private Timer handshakeTimer;
    /** What ended a failed handshake, for an outbound connection's future; null otherwise. */
    private SSLException failure;

    TlsTransport(Connection connection, SSLEngine engine, TlsContext context) {
        this.connection = connection;
        this.engine = engine;
        this.context = context;
        Reactor reactor = connection.reactor();
        this.buffers = reactor.tlsBuffers();
        this.metrics = reactor.tlsMetrics();
        this.trace = reactor.trace();
        this.id = connection.id();
        this.packetSize = engine.getSession().getPacketBufferSize();
        this.appSize = engine.getSession().getApplicationBufferSize();
    }

    Phase phase() {
        return phase;
    }

    /** True once the handler has been told of the connection ({@code onOpen}), so it must hear {@code onClose}. */
    boolean handlerOpened() {
        return phase == Phase.ESTABLISHED || phase == Phase.CLOSING;
    }

    /** True while a delegated task runs on the pool: the connection must not read. */
    boolean blocksReading() {
        return phase == Phase.TASK_RUNNING;
    }

    /** Why the handshake never finished, for an outbound connection's future. */
    SSLException failure() {
        return failure != null ? failure : new SSLHandshakeException("closed before the TLS handshake finished");
    }

    /** Starts the handshake: arms its timeout, and as a client sends the ClientHello. */
    void start() {
        handshakeTimer = connection.reactor().schedule(context.handshakeTimeout(), "tls-handshake #" + id,
                this::handshakeTimedOut);
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            failed(e);
            return;
        }
        advance(engine.getHandshakeStatus());
    }

    // ------------------------------------------------------------------------------------------------ input

    /** Moves a partial record left from the last read to the front of {@code buf}; returns its length. */
    int carryInto(ByteBuffer buf) {
        if (carry == null) {
            return 0;
        }
        int n = carry.remaining();
        buf.put(carry);
        carry = null;
        return n;
    }

    /**
     * Unwraps every whole record in {@code cipher} (in read mode), driving the handshake as the engine asks and
     * handing the plaintext to the handler; keeps a trailing partial record for the next read.
     */
    void unwrap(ByteBuffer cipher) {
        ByteBuffer app = buffers.app(appSize);
        app.clear();
        while (cipher.hasRemaining() && phase != Phase.TASK_RUNNING && !connection.isClosing()) {
            SSLEngineResult r;
            try {
                r = engine.unwrap(cipher, app);
            } catch (SSLException e) {
                failed(e);
                return;
            }
            if (trace.on) {
                trace.event("tls unwrap #{} {} {}: {} bytes in, {} out", id, r.getStatus(), r.getHandshakeStatus(),
                        r.bytesConsumed(), r.bytesProduced());
            }
            metrics.plaintextRead.add(r.bytesProduced());
            switch (r.getStatus()) {
                case OK -> {
                }
                case BUFFER_UNDERFLOW -> {
                    deliver(app);
                    keepCarry(cipher);
                    return;
                }
                case BUFFER_OVERFLOW -> {
                    // Only when the engine's estimate of a record outgrew what is left: hand over what is there.
                    if (app.position() > 0) {
                        deliver(app);
                        app = buffers.app(appSize);
                        app.clear();
                    } else {
                        app = buffers.growApp();
                    }
                    continue;
                }
                case CLOSED -> {
                    // The peer's close_notify: the end of its input, as a FIN is over plaintext.
                    deliver(app);
                    if (trace.on) {
                        trace.event("tls close_notify #{} received", id);
                    }
                    connection.tlsInputClosed();
                    return;
                }
            }
            HandshakeStatus hs = r.getHandshakeStatus();
            if (phase == Phase.ESTABLISHED && hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED
                    && !"TLSv1.3".equals(engine.getSession().getProtocol()) && !engine.getUseClientMode()) {
                // TLS 1.2 renegotiation started by the client: a second full handshake (CPU a client can spend ours
                // on at will) that nothing here needs. TLS 1.3 has none; its post-handshake messages go on below.
                refuseRenegotiation();
                return;
            }
            if (hs != HandshakeStatus.NOT_HANDSHAKING && !advance(hs)) {
                break; // a task runs on the pool, or the connection closed
            }
        }
        deliver(app);
        if (phase == Phase.TASK_RUNNING) {
            keepCarry(cipher); // whole records may be waiting: the task's end unwraps them
        }
    }

    private void deliver(ByteBuffer app) {
        if (app.position() == 0) {
            return;
        }
        app.flip();
        connection.deliver(app);
        app.clear();
    }

    private void keepCarry(ByteBuffer cipher) {
        if (!cipher.hasRemaining()) {
            return;
        }
        // Bounded: the engine refuses a record header announcing more than a record may hold before asking for more.
        carry = ByteBuffer.allocate(cipher.remaining());
        carry.put(cipher).flip();
        if (trace.on) {
            trace.event("tls #{} keeps {} bytes of a partial record", id, carry.remaining());
        }
    }

    /** The peer closed TCP ({@code midRecord}: with part of a record read). */
    void inputEnded(boolean midRecord) {
        if (phase == Phase.ESTABLISHED && !engine.isInboundDone()) {
            log.debug("#{} TLS truncation: the peer closed TCP without close_notify{}", id,
                    midRecord ? " (in the middle of a record)" : "");
            if (trace.on) {
                trace.event("tls #{} truncation: EOF without close_notify", id);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- handshake

    /**
     * Drives the handshake from {@code hs}: wraps what the engine wants to send, runs its tasks. Returns true when
     * the engine needs input next (or is done), false when it must stop here: a task runs on the pool, or the
     * connection closed.
     */
    private boolean advance(HandshakeStatus hs) {
        while (true) {
            switch (hs) {
                case NEED_WRAP -> {
                    hs = wrapHandshake();
                    if (hs == null) {
                        return false;
                    }
                }
                case NEED_TASK -> {
                    if (!runTasks()) {
                        return false;
                    }
                    hs = engine.getHandshakeStatus();
                }
                case FINISHED, NOT_HANDSHAKING -> {
                    if (phase == Phase.HANDSHAKING) {
                        established();
                    }
                    return connection.state() != ConnectionState.CLOSED;
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    return true;
                }
            }
        }
    }

    /** Wraps handshake messages (or an alert) and queues them; returns the status after, or null if it closed. */
    private HandshakeStatus wrapHandshake() {
        ByteBuffer packet = buffers.packet(packetSize);
        packet.clear();
        HandshakeStatus hs;
        while (true) {
            SSLEngineResult r;
            try {
                r = engine.wrap(EMPTY, packet);
            } catch (SSLException e) {
                failed(e);
                return null;
            }
            if (trace.on) {
                trace.event("tls wrap #{} {} {}: {} bytes out", id, r.getStatus(), r.getHandshakeStatus(),
                        r.bytesProduced());
            }
            hs = r.getHandshakeStatus();
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                if (packet.position() == 0) {
                    packet = buffers.growPacket();
                } else {
                    packet = writePacket(packet);
                }
                continue;
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED || hs != HandshakeStatus.NEED_WRAP) {
                break;
            }
        }
        writePacket(packet);
        return connection.state() == ConnectionState.CLOSED ? null : hs;
    }

    /** Hands the packet buffer's ciphertext to the write queue; returns it cleared, ready for more. */
    private ByteBuffer writePacket(ByteBuffer packet) {
        packet.flip();
        if (packet.hasRemaining()) {
            connection.write(packet);
        }
        packet.clear();
        return packet;
    }

    /** Runs the engine's delegated tasks; true if they are done, false if they went to the pool. */
    private boolean runTasks() {
        Executor pool = context.delegatedTasks();
        if (pool != null) {
            phase = Phase.TASK_RUNNING;
            connection.tlsReadingChanged();
            try {
                pool.execute(() -> {
                    for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                        task.run();
                    }
                    connection.reactor().execute(this::tasksDone);
                });
                if (trace.on) {
                    trace.event("tls NEED_TASK #{}: on the pool, reading paused", id);
                }
                return false;
            } catch (RejectedExecutionException e) {
                phase = Phase.HANDSHAKING; // the pool is gone (shutting down): run them here
                connection.tlsReadingChanged();
            }
        }
        long start = trace.on ? System.nanoTime() : 0;
        int n = 0;
        for (Runnable task; (task = engine.getDelegatedTask()) != null; n++) {
            task.run();
        }
        if (trace.on) {
            trace.event("tls NEED_TASK #{}: {} task(s) inline in {} us", id, n, (System.nanoTime() - start) / 1_000);
        }
        return true;
    }

    /** Back on the reactor thread after the pool ran the tasks: resume the handshake, then any records waiting. */
    private void tasksDone() {
        if (phase != Phase.TASK_RUNNING || connection.state() == ConnectionState.CLOSED) {
            return;
        }
        phase = Phase.HANDSHAKING;
        if (trace.on) {
            trace.event("tls #{} tasks done; handshake resumes", id);
        }
        connection.tlsReadingChanged();
        if (!advance(engine.getHandshakeStatus()) || carry == null) {
            return;
        }
        ByteBuffer buf = connection.reactor().readBuffer();
        buf.clear();
        carryInto(buf);
        buf.flip();
        unwrap(buf);
    }

    private void established() {
        phase = Phase.ESTABLISHED;
        handshakeTimer.cancel();
        handshakeTimer = null;
        metrics.handshakes.increment();
        long micros = (System.nanoTime() - startNanos) / 1_000;
        if (trace.on) {
            trace.event("tls #{} handshake done: {} {} in {} us", id, engine.getSession().getProtocol(),
                    engine.getSession().getCipherSuite(), micros);
        }
        if (log.isDebugEnabled()) {
            log.debug("#{} TLS established: {} {} in {} us", id, engine.getSession().getProtocol(),
                    engine.getSession().getCipherSuite(), micros);
        }
        connection.tlsEstablished();
        if (early != null && phase == Phase.ESTABLISHED) {
            ByteBuffer pending = early.flip();
            early = null;
            send(pending);
        }
    }

    private void handshakeTimedOut() {
        handshakeTimer = null;
        if (phase == Phase.HANDSHAKING || phase == Phase.TASK_RUNNING) {
            metrics.failed(TlsMetrics.Failure.TIMEOUT);
            log.debug("#{} TLS handshake not finished within {} ms; closing", id, context.handshakeTimeout().toMillis());
            failure = new SSLHandshakeException("TLS handshake not finished within "
                    + context.handshakeTimeout().toMillis() + " ms");
            connection.close(CloseReason.HANDSHAKE_TIMEOUT);
        }
    }

    private void refuseRenegotiation() {
        metrics.renegotiationsRefused.increment();
        log.warn("#{} from {}: TLS renegotiation refused; closing the connection", id, connection.remoteAddress());
        if (trace.on) {
            trace.event("tls #{} renegotiation refused", id);
        }
        connection.close(CloseReason.TLS_ERROR);
    }

    /**
     * The engine refused the peer's input (or a handshake step failed): send the alert the engine prepared, if the
     * socket can take it in order, and close this connection only.
     */
    private void failed(SSLException e) {
        failure = e;
        boolean handshaking = !handlerOpened();
        String message = String.valueOf(e.getMessage());
        if (handshaking) {
            TlsMetrics.Failure why = classify(e);
            metrics.failed(why);
            if (why == TlsMetrics.Failure.REFUSED) {
                log.info("#{} from {}: TLS handshake refused: {}; closing", id, connection.remoteAddress(), message);
            } else {
                log.warn("#{} from {}: TLS handshake failed ({}): {}; closing", id, connection.remoteAddress(),
                        why.label, message);
            }
        } else {
            metrics.recordErrors.increment();
            log.warn("#{} from {}: bad TLS record: {}; closing", id, connection.remoteAddress(), message);
        }
        if (trace.on) {
            trace.event("tls #{} failed: {}", id, e.toString());
        }
        sendFinalRecords(true);
        phase = handshaking ? Phase.ABORTED : Phase.CLOSING; // the alert was the last record; close sends no other
        connection.close(CloseReason.TLS_ERROR);
    }

    private static TlsMetrics.Failure classify(SSLException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("nrecognized SSL message")) { // "Unrecognized SSL message, plaintext connection?"
            return TlsMetrics.Failure.NOT_TLS;
        }
        if (e instanceof SSLProtocolException || message.contains("record") || message.contains("size")
                || message.contains("Unexpected") || message.contains("unexpected")) {
            return TlsMetrics.Failure.PROTOCOL;
        }
        return e instanceof SSLHandshakeException ? TlsMetrics.Failure.REFUSED : TlsMetrics.Failure.PROTOCOL;
    }

    // ----------------------------------------------------------------------------------------------- output

    /** Wraps {@code src} (consuming it) and queues the ciphertext: Connection.send over TLS. */
    void send(ByteBuffer src) {
        switch (phase) {
            case HANDSHAKING, TASK_RUNNING -> {
                keepEarly(src);
                return;
            }
            case CLOSING, ABORTED -> {
                connection.abandon(src);
                return;
            }
            case ESTABLISHED -> {
            }
        }
        ByteBuffer packet = buffers.packet(packetSize);
        while (src.hasRemaining()) {
            packet.clear();
            while (src.hasRemaining() && packet.remaining() >= packetSize) {
                SSLEngineResult r;
                try {
                    r = engine.wrap(src, packet);
                } catch (SSLException e) {
                    failed(e);
                    return;
                }
                metrics.plaintextWritten.add(r.bytesConsumed());
                if (trace.on) {
                    trace.event("tls wrap #{} {} {}: {} bytes in, {} out", id, r.getStatus(), r.getHandshakeStatus(),
                            r.bytesConsumed(), r.bytesProduced());
                }
                if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    if (packet.position() == 0) {
                        packet = buffers.growPacket();
                        continue;
                    }
                    break;
                }
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    writePacket(packet);
                    connection.abandon(src);
                    return;
                }
            }
            writePacket(packet);
            if (connection.state() == ConnectionState.CLOSED) {
                return;
            }
        }
    }

    private void keepEarly(ByteBuffer src) {
        int n = src.remaining();
        if (early == null || early.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(2 * ((early == null ? 0 : early.position()) + n), 1024));
            if (early != null) {
                bigger.put(early.flip());
            }
            early = bigger;
        }
        early.put(src);
    }

    /**
     * A graceful close: queues close_notify behind the pending output (the queue is empty when the connection calls
     * this, so it goes right after the last reply). Returns false if it was already sent.
     */
    boolean sendCloseNotify() {
        if (phase == Phase.CLOSING || phase == Phase.ABORTED) {
            return false;
        }
        phase = handlerOpened() ? Phase.CLOSING : Phase.ABORTED;
        cancelHandshakeTimer();
        engine.closeOutbound();
        if (trace.on) {
            trace.event("tls #{} sending close_notify", id);
        }
        sendFinalRecords(false);
        return true;
    }

    /**
     * The connection is closing now, for {@code reason}: send close_notify if the write queue is empty (a record after
     * half a record would be garbage), unless the peer reset; release what is held.
     */
    void closing(CloseReason reason, boolean outputIdle) {
        cancelHandshakeTimer();
        if (phase == Phase.HANDSHAKING || phase == Phase.TASK_RUNNING) {
            if (reason == CloseReason.PEER_EOF || reason == CloseReason.RESET) {
                metrics.failed(TlsMetrics.Failure.EOF);
                log.debug("#{} closed by the peer during the TLS handshake", id);
            }
            if (failure == null) {
                failure = new SSLHandshakeException("connection closed during the TLS handshake (" + reason.label() + ")");
            }
        }
        if (phase != Phase.CLOSING && phase != Phase.ABORTED && outputIdle && reason != CloseReason.RESET) {
            engine.closeOutbound();
            sendFinalRecords(true);
        }
        phase = handlerOpened() ? Phase.CLOSING : Phase.ABORTED;
        carry = null;
        early = null;
    }

    /**
     * Wraps what the engine has left to say (an alert, close_notify) and writes it: through the write queue
     * ({@code direct} false, a graceful close), or straight to the socket, best effort, when the connection is
     * closing at once.
     */
    private void sendFinalRecords(boolean direct) {
        if (direct && !connection.outputIdle()) {
            return; // half a record is queued: anything after it would be garbage to the peer
        }
        ByteBuffer packet = buffers.packet(packetSize);
        packet.clear();
        try {
            for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
                SSLEngineResult r = engine.wrap(EMPTY, packet);
                if (r.bytesProduced() == 0) {
                    break;
                }
            }
        } catch (SSLException | RuntimeException e) {
            log.debug("#{} no final TLS record: {}", id, e.toString());
        }
        packet.flip();
        if (packet.hasRemaining()) {
            if (direct) {
                connection.writeBestEffort(packet);
            } else {
                connection.write(packet);
            }
        }
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
            handshakeTimer = null;
        }
    }
}
