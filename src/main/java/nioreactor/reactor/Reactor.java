package nioreactor.reactor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread, one {@link Selector}, every channel: the event loop at the heart of nioreactor, and the entry point of
 * the library. Build one with {@link #builder()}, {@link #start()} it, then {@link #listen} for TCP connections,
 * {@link #bindUdp} a datagram socket, or {@link #connect} out (TCP) and {@link #connectUdp} (UDP); each returns a
 * future.
 *
 * <pre>{@code
 * Reactor reactor = Reactor.builder().name("echo").build();
 * reactor.start();
 * reactor.listen("echo", new InetSocketAddress(7000), Limits.DEFAULTS, () -> Connection::send).get();
 * }</pre>
 *
 * <h2>The single-thread rule</h2>
 * Only the reactor thread touches the selector, the selection keys and the channels registered with it: it accepts,
 * reads, writes, registers and changes interest ops, and every handler callback runs on it. Any other thread may only
 * {@link #execute} a task, which the loop runs on its own thread, and wake the selector. Methods that need the
 * reactor thread say so and check it with {@code assert inReactorThread()}; the rest say "any thread". Because of the
 * rule, nothing on the I/O path needs a lock, and a connection's state never changes under the code looking at it.
 * With several reactors, a connection is reached through its own reactor: {@code c.reactor().execute(...)}.
 *
 * <h2>One iteration</h2>
 * <pre>
 *   run queued tasks  →  select (block until a channel is ready, a task arrives, or the next timer is due)
 *        ↑                         ↓
 *   run due timers   ←  dispatch each ready key to its handler
 * </pre>
 *
 * All state is per instance (no statics), so one JVM can run many reactors.
 */
public final class Reactor implements Executor {
    private static final Logger log = LoggerFactory.getLogger(Reactor.class);

    /** How {@code select} is called; a seam so a test can inject a selector that returns early (the epoll spin bug). */
    interface SelectCall {
        SelectCall DEFAULT = (selector, action, timeoutMillis) -> timeoutMillis < 0
                ? selector.select(action)
                : timeoutMillis == 0 ? selector.selectNow(action) : selector.select(action, timeoutMillis);

        /** timeoutMillis: -1 block until woken, 0 do not block, else block at most that long. */
        int select(Selector selector, Consumer<SelectionKey> action, long timeoutMillis) throws IOException;
    }

    /** How a selector is opened; a seam so a test can make the spin guard's rebuild fail (EMFILE). */
    interface SelectorOpener {
        Selector open() throws IOException;
    }

    /** What a graceful shutdown achieved. */
    public record ShutdownSummary(long connectionsClosed, long bytesFlushed, long bytesAbandoned) {
    }

    /** Most tasks run in one iteration, so a task that keeps enqueueing tasks cannot starve the channels. */
    private static final int MAX_TASKS_PER_LOOP = 1024;
    /** How long a method called off the reactor thread waits for it to answer. */
    private static final long ANSWER_TIMEOUT_SECONDS = 10;

    private final String name;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Set by the first {@link #execute} after the loop last looked, so a burst of tasks costs one wakeup syscall. */
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final TimerQueue timers = new TimerQueue();
    private final ByteBuffer readBuffer;
    /** For reads whose bytes are thrown away while a handler may still be using {@link #readBuffer}. */
    private final ByteBuffer discardBuffer = ByteBuffer.allocateDirect(4096);
    private final Consumer<SelectionKey> dispatcher = this::dispatch;
    private final SelectCall selectCall;
    private final SelectorOpener selectorOpener;
    private final int spinThreshold;
    private final SelectStrategy strategy;
    private final long spinForNanos;
    final Stats stats = new Stats();
    private final Trace trace;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();
    private final CompletableFuture<ShutdownSummary> shutdown = new CompletableFuture<>();

    /** Volatile because {@link #execute} reads it from other threads to wake it, and a rebuild replaces it. */
    private volatile Selector selector;
    private volatile boolean running = true;
    /** The counters as the loop left them, for {@link #stats()} after it ended. */
    private volatile ReactorStats finalStats;
    /** Consecutive selects that returned nothing, early, for no reason: the spin guard's evidence. */
    private int prematureSelects;
    /** When this iteration's first handler ran: select(Consumer) dispatches inside the call. */
    private long firstDispatchNanos;
    private long selectStartNanos;
    /** When the loop last did something (dispatched a key, ran a task or a timer): where a backoff starts. */
    private long lastWorkNanos;
    /** What the last idle wait was, so the trace says when the backoff moves from one phase to the next. */
    private IdlePhase idlePhase = IdlePhase.WORKING;
    private long nextConnectionId = 1;
    private TlsBuffers tlsBuffers;
    private TlsMetrics tlsMetrics;
    /**
     * A System.nanoTime() the loop already took this iteration (its start, then select's return), for connections to
     * stamp their progress with: no clock call per read or write.
     */
    long loopNanos = System.nanoTime();

    // Graceful shutdown; reactor thread only.
    private boolean shuttingDown;
    private ShutdownSummary summary;
    private long activeAtShutdown;
    private long writtenAtShutdown;
    private long abandonedAtShutdown;

    private Reactor(Builder b) {
        this.name = b.name;
        this.trace = b.trace.forReactor(); // its own copy: taps added to it reach no other reactor
        this.selectCall = b.selectCall;
        this.selectorOpener = b.selectorOpener;
        this.spinThreshold = b.spinThreshold;
        this.strategy = b.strategy;
        this.spinForNanos = b.spinFor.toNanos();
        // One direct buffer for every read of every channel: a direct buffer is what the kernel copies into anyway
        // (a heap buffer would cost a second copy), and sharing it means an idle connection owns no buffer at all.
        this.readBuffer = ByteBuffer.allocateDirect(b.readBufferSize);
        try {
            this.selector = selectorOpener.open();
            // The JDK initialises its socket-close code (sun.nio.ch.FileDispatcherImpl) on the first close of any
            // socket, and that initialiser opens a descriptor. If the first close happens while the process is out of
            // descriptors (EMFILE, just what the accept back-off is for), the class is broken for good, every later
            // close throws, and the loop dies. Closing one socket now, while descriptors are plentiful, avoids that.
            SocketChannel.open().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        this.thread = new Thread(this::loop, name);
        // Explicitly, rather than inherited from whichever thread built the reactor: a server's loop keeps the JVM up.
        this.thread.setDaemon(b.daemon);
    }

    /** {@return settings for a new reactor, each with a default} */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts the reactor thread. Any thread; a second call does nothing. */
    public void start() {
        if (started.compareAndSet(false, true)) {
            thread.start();
        }
    }

    /** {@return the reactor's name, which is also its thread's name} Any thread. */
    public String name() {
        return name;
    }

    /** {@return how this reactor waits when idle} Any thread. */
    public SelectStrategy selectStrategy() {
        return strategy;
    }

    /**
     * The size of the shared read buffer: the most one read hands to {@link StreamHandler#onData}. Any thread.
     *
     * @return the read buffer's capacity in bytes
     */
    public int readBufferSize() {
        return readBuffer.capacity();
    }

    /** {@return true when called on this reactor's own thread} Any thread. */
    public boolean inReactorThread() {
        return Thread.currentThread() == thread;
    }

    /** {@return true from construction until the loop has ended} Any thread. */
    public boolean isRunning() {
        return running && terminated.getCount() > 0;
    }

    // ---------------------------------------------------------------------------------------------- the loop

    private void loop() {
        log.debug("{} started", name);
        try {
            while (running) {
                long start = System.nanoTime();
                loopNanos = start;
                boolean worked = runTasks();
                long selectStart = System.nanoTime();
                long workStart = select(selectStart); // dispatches each ready key to its handler
                worked |= firstDispatchNanos != 0;
                worked |= runTimers(System.nanoTime());
                account(start, selectStart, workStart, worked);
            }
        } catch (Throwable t) {
            // Only a broken selector gets here (handlers' failures are caught in dispatch); say so loudly.
            log.error("{} stopped by an unexpected error", name, t);
        } finally {
            try {
                closeEverything();
            } finally {
                finalStats = new ReactorStats(stats);
                terminated.countDown();
                shutdown.complete(summary != null ? summary : new ShutdownSummary(0, 0, 0));
                log.debug("{} stopped", name);
            }
        }
    }

    /**
     * Counts the iteration and records its work time: tasks, plus dispatch and timers, but not the time blocked in
     * select. An idle poll of a spinning loop did nothing: recording it would bury the real iterations.
     */
    private void account(long start, long selectStart, long workStart, boolean worked) {
        long end = System.nanoTime();
        stats.loops++;
        if (worked) {
            lastWorkNanos = end;
        }
        if (worked || idlePhase == IdlePhase.WORKING) {
            stats.loopTime.record((selectStart - start) + (end - workStart));
        }
    }

    /**
     * Selects and dispatches. Returns when the work began (the first dispatch, or select's return when nothing was
     * ready), so the loop can time its own work apart from the time it spent blocked.
     */
    private long select(long now) throws IOException {
        wakeupPending.set(false); // from here on, a new task's execute() calls wakeup(), which makes select return
        firstDispatchNanos = 0;
        selectStartNanos = now;
        long timeoutMillis;
        if (!tasks.isEmpty() || !running) {
            timeoutMillis = 0; // when stopping, a pending timer (e.g. the shutdown deadline) must not hold the loop
        } else {
            long untilTimer = timers.nanosUntilNext(now);
            timeoutMillis = untilTimer < 0 ? -1 : untilTimer == 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(untilTimer + 999_999));
            if (timeoutMillis != 0) {
                timeoutMillis = idleWait(now, timeoutMillis);
            }
        }
        if (trace.on && timeoutMillis != 0) {
            trace.event("select blocking ({})", timeoutMillis < 0 ? "no timer" : "timer in " + timeoutMillis + " ms");
        }
        int n = selectCall.select(selector, dispatcher, timeoutMillis);
        long returned = System.nanoTime();
        loopNanos = returned; // handlers ran inside select, a little earlier; close enough for "last progress"
        stats.selects++;
        if (n == 0) {
            stats.emptySelects++;
        }
        stats.keysReady.record(n);
        if (trace.on && (n > 0 || timeoutMillis != 0)) {
            trace.event("select -> {} ready after {} us", n, (returned - now) / 1_000);
        }
        guardAgainstSpin(n, timeoutMillis, returned - now);
        return firstDispatchNanos != 0 ? firstDispatchNanos : returned;
    }

    /** Where the loop is in its wait for work; only {@link SelectStrategy#BACKOFF} goes through every phase. */
    private enum IdlePhase {
        /** Busy, or blocking: the next idle wait starts a new backoff. */
        WORKING,
        /** Calling selectNow in a loop. */
        SPINNING,
        /** Calling Thread.yield, then selectNow. */
        YIELDING
    }

    /**
     * Nothing is due now: the strategy decides whether this select blocks ({@code blockMillis}) or only polls (0).
     * Polling selects pass a zero timeout, so the spin guard never mistakes them for the epoll bug.
     */
    private long idleWait(long now, long blockMillis) {
        switch (strategy) {
            case SPIN -> {
                stats.selectSpins++;
                enterPhase(IdlePhase.SPINNING);
                return 0;
            }
            case BACKOFF -> {
                long idleFor = now - lastWorkNanos;
                if (idleFor < spinForNanos) {
                    stats.selectSpins++;
                    enterPhase(IdlePhase.SPINNING);
                    return 0;
                }
                if (idleFor < 2 * spinForNanos) {
                    stats.selectYields++;
                    enterPhase(IdlePhase.YIELDING);
                    Thread.yield();
                    return 0;
                }
            }
            case BLOCK -> {
            }
        }
        stats.selectBlocks++;
        idlePhase = IdlePhase.WORKING;
        return blockMillis;
    }

    private void enterPhase(IdlePhase phase) {
        if (idlePhase != phase) {
            idlePhase = phase;
            if (trace.on) {
                trace.event("select {} ({})", phase == IdlePhase.SPINNING ? "spinning" : "yielding",
                        strategy.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
    }

    /**
     * The old JDK/epoll bug class: select keeps returning 0 at once although nothing is ready, nobody woke it and no
     * timer is due, and the loop burns a core. After {@code spinThreshold} such returns in a row, move every key to a
     * fresh selector, as Netty does.
     */
    private void guardAgainstSpin(int n, long timeoutMillis, long elapsedNanos) {
        boolean premature = n == 0
                && timeoutMillis != 0
                && !wakeupPending.get()
                && (timeoutMillis < 0 || elapsedNanos < TimeUnit.MILLISECONDS.toNanos(timeoutMillis) - 1_000_000);
        if (!premature) {
            prematureSelects = 0;
            return;
        }
        if (Thread.interrupted()) {
            return; // an interrupt also ends select early; that is not the bug
        }
        if (++prematureSelects >= spinThreshold) {
            log.warn("{}: select returned early {} times in a row with nothing ready; rebuilding the selector",
                    name, prematureSelects);
            prematureSelects = 0;
            rebuildSelector();
        }
    }

    private void dispatch(SelectionKey key) {
        if (firstDispatchNanos == 0) {
            firstDispatchNanos = System.nanoTime();
            if (trace.on) {
                // select(Consumer) runs the handlers inside the call: say the loop woke before their lines appear.
                trace.event("select woke after {} us", (firstDispatchNanos - selectStartNanos) / 1_000);
            }
        }
        // An earlier handler in this same batch may have closed this key's channel (a chat member closing another,
        // a shutdown): readyOps() on a cancelled key throws, so skip it, as Netty's processSelectedKey does.
        if (!key.isValid()) {
            return;
        }
        IoHandler handler = (IoHandler) key.attachment();
        try {
            handler.ready(key.readyOps());
        } catch (Throwable t) {
            stats.handlerErrors++;
            try {
                handler.failed(t);
            } catch (Throwable again) {
                // Even cleaning up failed (out of memory while logging, say): the loop must still go on.
                log.error("{}: a handler's failure handling failed too", name, again);
            }
        }
    }

    /** Runs queued tasks; true if there were any. */
    private boolean runTasks() {
        for (int i = 0; i < MAX_TASKS_PER_LOOP; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return i > 0;
            }
            stats.tasksRun++;
            runGuarded(task, "task");
        }
        return true;
    }

    /** Runs the timers that are due; true if any fired. */
    private boolean runTimers(long now) {
        boolean fired = false;
        Timer due;
        while ((due = timers.pollDue(now)) != null) {
            fired = true;
            stats.timersFired++;
            if (trace.on) {
                trace.event("timer {} fired", due.name);
            }
            Runnable task = due.task;
            due.task = null;
            runGuarded(task, due.name);
        }
        return fired;
    }

    private void runGuarded(Runnable r, String what) {
        try {
            r.run();
        } catch (Throwable t) {
            stats.handlerErrors++;
            log.warn("{}: {} failed; the loop goes on", name, what, t);
        }
    }

    // ----------------------------------------------------------------------------------- channels (any thread)

    /**
     * Binds a TCP listener for {@code service} at {@code address} (port 0 picks a free port). Each accepted
     * connection gets its own handler from {@code handlers} and the listener's {@code limits}. Any thread; the future
     * completes once the listener is bound, or fails with the bind's {@link IOException} (e.g. address in use).
     *
     * <p>A {@link java.net.UnixDomainSocketAddress} binds an AF_UNIX listener on the same loop, with the same limits
     * and backpressure. The path must fit the platform's limit and its directory must exist and be writable (else the
     * future fails, naming the path); a stale socket file (nobody listening) is removed first, a live one is not (a
     * {@link java.net.BindException}); the file is deleted when the listener closes, as at shutdown. Its mode is what
     * the umask gives: set another with {@code Files.setPosixFilePermissions} once the future completes.
     *
     * @param service  a name for logs, traces and metrics
     * @param address  where to listen, e.g. {@code new InetSocketAddress(port)} for every interface
     * @param limits   the listener's and its connections' limits, e.g. {@link Limits#DEFAULTS}
     * @param handlers called once per accepted connection, on the reactor thread
     * @return the bound listener, once bound
     */
    public CompletableFuture<Listener> listen(String service, SocketAddress address, Limits limits,
                                              Supplier<? extends StreamHandler> handlers) {
        return listen(service, address, limits, null, handlers);
    }

    /**
     * As {@link #listen(String, SocketAddress, Limits, Supplier)}, each connection over TLS with {@code tls} (made by
     * {@link TlsContext#server}), or plaintext when {@code tls} is null. The handlers are the same as over plaintext:
     * they hear {@link StreamHandler#onOpen} once a connection's handshake is done, and handle plaintext.
     *
     * @param service  a name for logs, traces and metrics
     * @param address  where to listen
     * @param limits   the listener's and its connections' limits; the water marks count ciphertext pending
     * @param tls      the certificate and TLS settings, or null for plaintext
     * @param handlers called once per accepted connection, on the reactor thread
     * @return the bound listener, once bound
     * @throws IllegalArgumentException if {@code tls} is a client context
     */
    public CompletableFuture<Listener> listen(String service, SocketAddress address, Limits limits, TlsContext tls,
                                              Supplier<? extends StreamHandler> handlers) {
        Objects.requireNonNull(handlers, "handlers");
        return listen(service, address, limits, ListenOptions.DEFAULTS, tls, home -> handlers.get());
    }

    /**
     * {@link #listen(String, SocketAddress, Limits, Supplier) listen}, with {@code options}: hand connections to
     * worker reactors, set {@code SO_REUSEPORT}, expect a PROXY protocol header (see {@link ListenOptions}). Each
     * connection's handler comes from {@code handlers}, called on the thread of the reactor the connection will live
     * on, with that reactor, so a service can give each reactor its own state (a chat room per reactor, a scratch
     * buffer) and still need no lock. Any thread.
     *
     * @param service  a name for logs, traces and metrics
     * @param address  where to listen
     * @param limits   the listener's and its connections' limits (with hand-off, {@code maxConnections} counts the
     *                 connections on every worker)
     * @param options  hand-off, {@code SO_REUSEPORT}, PROXY header; {@link ListenOptions#DEFAULTS} for none
     * @param handlers called once per accepted connection, on the thread of the reactor it is given
     * @return the bound listener, once bound
     */
    public CompletableFuture<Listener> listen(String service, SocketAddress address, Limits limits,
                                              ListenOptions options,
                                              Function<? super Reactor, ? extends StreamHandler> handlers) {
        return listen(service, address, limits, options, null, handlers);
    }

    /**
     * The general form: {@code options} as in {@link #listen(String, SocketAddress, Limits, ListenOptions, Function)},
     * each connection over TLS with {@code tls} (or plaintext when null), as in
     * {@link #listen(String, SocketAddress, Limits, TlsContext, Supplier)}. A PROXY header over TLS is not supported
     * (it would have to be read before the handshake, below the TLS layer). Any thread.
     *
     * @param service  a name for logs, traces and metrics
     * @param address  where to listen
     * @param limits   the listener's and its connections' limits
     * @param options  hand-off, {@code SO_REUSEPORT}; {@link ListenOptions#DEFAULTS} for none
     * @param tls      the certificate and TLS settings, or null for plaintext
     * @param handlers called once per accepted connection, on the thread of the reactor it is given
     * @return the bound listener, once bound
     * @throws IllegalArgumentException if {@code tls} is a client context, or is given with a PROXY header
     */
    public CompletableFuture<Listener> listen(String service, SocketAddress address, Limits limits,
                                              ListenOptions options, TlsContext tls,
                                              Function<? super Reactor, ? extends StreamHandler> handlers) {
        Objects.requireNonNull(handlers, "handlers");
        Objects.requireNonNull(options, "options");
        if (tls != null && tls.clientMode()) {
            throw new IllegalArgumentException("a listener needs TlsContext.server(...), not a client context");
        }
        if (tls != null && options.proxyProtocol()) {
            throw new IllegalArgumentException("a PROXY protocol header over TLS is not supported");
        }
        return submit(() -> Listener.bind(this, service, address, limits, options, tls, handlers));
    }

    /**
     * Binds a UDP socket for {@code service} at {@code address}; every datagram it receives goes to {@code handler}.
     * Any thread; the future completes once the socket is bound, or fails with the bind's {@link IOException}.
     *
     * @param service a name for logs, traces and metrics
     * @param address where to bind
     * @param limits  the socket's limits, e.g. {@link UdpLimits#DEFAULTS}
     * @param handler gets every datagram, on the reactor thread
     * @return the bound socket, once bound
     */
    public CompletableFuture<UdpSocket> bindUdp(String service, SocketAddress address, UdpLimits limits,
                                                DatagramHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return submit(() -> UdpSocket.bind(this, service, address, limits, ListenOptions.DEFAULTS, handler));
    }

    /**
     * {@link #bindUdp(String, SocketAddress, UdpLimits, DatagramHandler) bindUdp}, with {@code options}: of those,
     * only {@link ListenOptions#reusePort()} applies to UDP (several reactors or processes each bind the port, and
     * the kernel spreads datagrams over them by sender); hand-off and PROXY headers are for TCP listeners and are
     * refused here. Any thread.
     *
     * @param service a name for logs, traces and metrics
     * @param address where to bind
     * @param limits  the socket's receive budget and reply queue
     * @param options {@link ListenOptions#withReusePort()} or {@link ListenOptions#DEFAULTS}
     * @param handler gets every datagram, on the reactor thread
     * @return the bound socket, once bound
     */
    public CompletableFuture<UdpSocket> bindUdp(String service, SocketAddress address, UdpLimits limits,
                                                ListenOptions options, DatagramHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (options.handsOff() || options.proxyProtocol()) {
            throw new IllegalArgumentException("UDP sockets take only the reuse-port option, not " + options);
        }
        return submit(() -> UdpSocket.bind(this, service, address, limits, options, handler));
    }

    /**
     * Opens a UDP socket connected to {@code remote}, for a client: it receives only that peer's datagrams, each handed
     * to {@code handler} with {@code remote} as the sender, and {@link UdpSocket#send} goes to {@code remote}. It uses
     * {@code read} and {@code write} rather than {@code receive} and {@code send}, so no sender address is built per
     * datagram (what a load generator needs); see {@link UdpSocket} for what that changes. Any thread; the future
     * completes once the socket is connected (for UDP, a local operation: nothing is sent), or fails with the
     * {@link IOException}.
     *
     * @param service a name for logs, traces and metrics
     * @param remote  the one peer, a resolved address
     * @param limits  the socket's limits, e.g. {@link UdpLimits#DEFAULTS}
     * @param handler gets every datagram from {@code remote}, on the reactor thread
     * @return the connected socket, once connected
     */
    public CompletableFuture<UdpSocket> connectUdp(String service, InetSocketAddress remote, UdpLimits limits,
                                                   DatagramHandler handler) {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(handler, "handler");
        return submit(() -> UdpSocket.connect(this, service, remote, limits, handler));
    }

    /**
     * Opens a TCP connection to {@code remote} (or an AF_UNIX one, to a {@link java.net.UnixDomainSocketAddress}),
     * served by {@code handler} with {@code limits}. Any thread. The future
     * completes with the connection once connected (after {@link StreamHandler#onOpen}); if the peer refuses, is
     * unreachable, or does not answer within {@code timeout} (zero: no timeout of ours), the handler's
     * {@link StreamHandler#onConnectFailed} is told and the future fails with the same {@link IOException}.
     *
     * @param remote  the peer to connect to
     * @param limits  the connection's limits (water marks, timeouts); the listener-only ones are ignored
     * @param timeout how long the connect may take; zero leaves it to the operating system
     * @param handler serves the connection, as a listener's handler would
     * @return the open connection, once connected
     */
    public CompletableFuture<Connection> connect(SocketAddress remote, Limits limits, Duration timeout,
                                                 StreamHandler handler) {
        return connect(remote, limits, timeout, null, handler);
    }

    /**
     * As {@link #connect(SocketAddress, Limits, Duration, StreamHandler)}, over TLS with {@code tls} (made by
     * {@link TlsContext#client}), or plaintext when null. The future completes once the handshake is done and the
     * handler heard {@code onOpen}; a failed handshake is a failed connect ({@code onConnectFailed}, the future
     * failing with the {@link javax.net.ssl.SSLException}). {@code timeout} bounds the TCP connect; the handshake has
     * its own ({@link TlsContext#handshakeTimeout()}).
     *
     * @param remote  the peer to connect to
     * @param limits  the connection's limits; the water marks count ciphertext pending
     * @param timeout how long the TCP connect may take; zero leaves it to the operating system
     * @param tls     the client's TLS settings (what it trusts, the host name to check), or null for plaintext
     * @param handler serves the connection, as a listener's handler would
     * @return the open connection, once its handshake is done
     * @throws IllegalArgumentException if {@code tls} is a server context
     */
    public CompletableFuture<Connection> connect(SocketAddress remote, Limits limits, Duration timeout, TlsContext tls,
                                                 StreamHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (tls != null && !tls.clientMode()) {
            throw new IllegalArgumentException("an outbound connection needs TlsContext.client(...), not a server context");
        }
        CompletableFuture<Connection> result = new CompletableFuture<>();
        onReactorThread(() -> Connector.start(this, remote, handler, limits, tls, timeout, result), result);
        return result;
    }

    // ------------------------------------------------------------------------------ tasks, timers and counters

    /**
     * Runs {@code task} on the reactor thread soon, in the next iteration's task phase (also when called on the
     * reactor thread itself: a way to defer work). Any thread. Tasks handed over while the loop is ending still run
     * as it closes down; a task handed over after it has ended is never run and nobody is told, so a caller that
     * needs to know uses {@link #submit}, whose future fails instead.
     */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        // A spinning loop polls anyway: the wakeup syscall would only cost the caller.
        if (strategy != SelectStrategy.SPIN && !inReactorThread() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /**
     * Runs {@code task} on the reactor thread and hands back its result. Any thread; on the reactor thread itself it
     * runs at once, so the returned future is already complete (waiting on it cannot deadlock).
     *
     * @param <T>  the task's result type
     * @param task what to run; what it throws fails the future
     * @return the task's result, once it has run
     */
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        onReactorThread(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, result);
        return result;
    }

    private void onReactorThread(Runnable action, CompletableFuture<?> result) {
        if (inReactorThread()) {
            action.run();
            return;
        }
        execute(action);
        if (!isRunning()) {
            result.completeExceptionally(new IllegalStateException(name + " is stopped"));
        }
    }

    /**
     * Runs {@code task} on the reactor thread after {@code delay}; {@code timerName} shows in {@code --trace}.
     * Reactor thread only (timers are loop state), checked on every call: from another thread it throws
     * {@link IllegalStateException}; schedule inside {@link #execute} instead.
     *
     * @param delay     how long from now
     * @param timerName a name for {@code --trace}
     * @param task      what to run; an exception it throws is logged and the loop goes on
     * @return the timer, to {@link Timer#cancel()} it
     */
    public Timer schedule(Duration delay, String timerName, Runnable task) {
        return scheduleAt(System.nanoTime() + delay.toNanos(), timerName, task);
    }

    Timer scheduleAt(long deadlineNanos, String timerName, Runnable task) {
        if (!inReactorThread()) { // checked always: a timer added from another thread would corrupt the heap silently
            throw new IllegalStateException("schedule called on " + Thread.currentThread().getName() + ", not on "
                    + name + "; schedule inside execute(...) or submit(...)");
        }
        return timers.add(deadlineNanos, timerName, task);
    }

    /**
     * Registers a service counter (e.g. {@code frames_total}) that shows in {@link #stats()} and so in
     * {@code /metrics}, JMX and {@code stats}; registering a name again returns the same counter. The counter is then
     * changed on the reactor thread only. Any thread.
     *
     * @param name a Prometheus-style name: letters, digits and underscores
     * @param help one line for {@code # HELP} in {@code /metrics}
     * @return the counter registered under {@code name}
     * @throws IllegalArgumentException if {@code name} is not a metric name, or is a gauge's
     */
    public synchronized Counter counter(String name, String help) {
        for (Stats.ServiceMetric m : stats.services) {
            if (m.name().equals(name)) {
                if (m.gauge() || !(m.value() instanceof CounterValue existing)) {
                    throw new IllegalArgumentException(name + " is already registered as a gauge");
                }
                return existing.counter();
            }
        }
        Counter counter = new Counter(checkedName(name));
        stats.services.add(new Stats.ServiceMetric(name, help, false, new CounterValue(counter)));
        return counter;
    }

    /**
     * Registers a service gauge (e.g. chat members now) whose value is read from {@code value} on the reactor thread
     * whenever a snapshot is taken. Any thread.
     *
     * @param name  a Prometheus-style name: letters, digits and underscores
     * @param help  one line for {@code # HELP} in {@code /metrics}
     * @param value read on the reactor thread; it must not block
     * @throws IllegalArgumentException if {@code name} is not a metric name, or is already registered
     */
    public synchronized void gauge(String name, String help, LongSupplier value) {
        for (Stats.ServiceMetric m : stats.services) {
            if (m.name().equals(name)) {
                throw new IllegalArgumentException(name + " is already registered");
            }
        }
        stats.services.add(new Stats.ServiceMetric(checkedName(name), help, true, value));
    }

    private record CounterValue(Counter counter) implements LongSupplier {
        @Override
        public long getAsLong() {
            return counter.value();
        }
    }

    private static String checkedName(String name) {
        if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
            throw new IllegalArgumentException("not a metric name (letters, digits, underscores): " + name);
        }
        return name;
    }

    /**
     * A consistent snapshot of the counters, taken on the reactor thread. Any thread: on the reactor thread it is
     * taken at once; another thread waits for the reactor (up to 10 s); after the loop ended, the last counters.
     *
     * @return the snapshot
     */
    public ReactorStats stats() {
        if (inReactorThread() || !started.get()) {
            return new ReactorStats(stats); // not started: no thread touches the counters yet
        }
        ReactorStats last = finalStats;
        if (last != null) {
            return last;
        }
        try {
            return submit(() -> new ReactorStats(stats)).get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while waiting for a stats snapshot", e);
        } catch (ExecutionException | TimeoutException e) {
            ReactorStats ended = finalStats;
            if (ended != null) {
                return ended; // it stopped while we asked
            }
            throw new IllegalStateException(name + " did not answer with a stats snapshot", e);
        }
    }

    /**
     * Adds a tap: from now on every trace event of this reactor (the {@code --trace} lines, whether or not the log is
     * on) is handed to {@code tap}, on the reactor thread, as it happens. A tap must be quick and must not block: it
     * runs inside the loop's I/O path. While no tap is registered and the log is off, tracing costs one field read per
     * event site. Reactor thread only.
     *
     * @param tap called with each event
     */
    public void addTraceTap(Consumer<TraceEvent> tap) {
        assert inReactorThread() : "trace taps are reactor-thread state";
        trace.addTap(Objects.requireNonNull(tap));
    }

    /**
     * Removes a tap added with {@link #addTraceTap}. Reactor thread only.
     *
     * @param tap the tap to remove
     * @return whether it was registered
     */
    public boolean removeTraceTap(Consumer<TraceEvent> tap) {
        assert inReactorThread() : "trace taps are reactor-thread state";
        return trace.removeTap(tap);
    }

    /** {@return how many trace taps are registered now} Reactor thread only. */
    public int traceTapCount() {
        assert inReactorThread() : "trace taps are reactor-thread state";
        return trace.tapCount();
    }

    /**
     * {@return a snapshot of every open connection of this reactor, as {@link Connection#info()} sees it, in no
     * particular order} Any thread: on the reactor thread it is taken at once; another thread waits for the reactor
     * (up to 10 s); after the loop ended, the list is empty.
     */
    public List<ConnectionInfo> connectionInfos() {
        if (inReactorThread()) {
            return infos();
        }
        if (!started.get() || finalStats != null) {
            return List.of();
        }
        try {
            return submit(this::infos).get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + ": interrupted while waiting for the connections", e);
        } catch (ExecutionException | TimeoutException e) {
            if (finalStats != null) {
                return List.of();
            }
            throw new IllegalStateException(name + " did not answer with its connections", e);
        }
    }

    private List<ConnectionInfo> infos() {
        long now = System.nanoTime();
        List<ConnectionInfo> all = new ArrayList<>();
        for (Connection c : connections()) {
            all.add(c.info(now));
        }
        return all;
    }

    /** {@return every open connection of this reactor, accepted or outbound} Reactor thread only. */
    public List<Connection> connections() {
        assert inReactorThread() : "connections are reactor-thread state";
        List<Connection> all = new ArrayList<>();
        for (SelectionKey key : selector.keys()) {
            if (key.isValid() && key.attachment() instanceof Connection c) {
                all.add(c);
            }
        }
        return all;
    }

    // ---------------------------------------------------------------------------------------------- stopping

    /**
     * Shuts down gracefully: listeners and UDP sockets close at once (new connections are refused), connections stop
     * reading and flush what they owe for up to {@code timeout}, then whatever is left is closed and the loop ends.
     * Any thread. The future completes, on the reactor thread, once the loop has ended; calling this again returns
     * the same future.
     *
     * @param timeout how long connections may take to flush
     * @return what the shutdown achieved, once the loop has ended
     */
    public CompletableFuture<ShutdownSummary> shutdownGracefully(Duration timeout) {
        if (!isRunning() || !started.get()) {
            stop();
            if (!started.get()) {
                shutdown.complete(new ShutdownSummary(0, 0, 0)); // no loop will ever complete it
            }
            return shutdown;
        }
        execute(() -> beginShutdown(timeout));
        return shutdown;
    }

    private void beginShutdown(Duration timeout) {
        if (shuttingDown) {
            return;
        }
        shuttingDown = true;
        activeAtShutdown = stats.connectionsActive;
        writtenAtShutdown = stats.bytesWritten;
        abandonedAtShutdown = stats.bytesAbandoned;
        for (IoHandler handler : handlers()) {
            handler.beginShutdown(timeout);
        }
        schedule(timeout, "shutdown-deadline", this::forceRemaining);
        connectionClosed(); // finishes at once when nothing was open
    }

    /** True once a graceful shutdown has begun. Reactor thread only. */
    boolean isShuttingDown() {
        assert inReactorThread();
        return shuttingDown;
    }

    /** Told by every connection as it closes: the last one to go ends a graceful shutdown. */
    void connectionClosed() {
        if (shuttingDown && summary == null && stats.connectionsActive == 0) {
            finishShutdown();
        }
    }

    private void forceRemaining() {
        for (IoHandler handler : handlers()) {
            handler.forceClose();
        }
        finishShutdown();
    }

    private void finishShutdown() {
        if (summary == null) {
            summary = new ShutdownSummary(activeAtShutdown, stats.bytesWritten - writtenAtShutdown,
                    stats.bytesAbandoned - abandonedAtShutdown);
            running = false;
        }
    }

    /** Ends the loop after the current iteration and closes every channel still registered, at once. Any thread. */
    public void stop() {
        execute(() -> running = false);
    }

    /**
     * Waits for the loop to end. Any thread but the reactor's own, where it fails at once instead of waiting for
     * itself.
     *
     * @param timeout how long to wait at most
     * @return false if {@code timeout} passed first
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        if (inReactorThread()) {
            throw new IllegalStateException(name + ": awaitTermination called on the reactor thread, which would "
                    + "wait for itself forever; use shutdownGracefully(...).thenRun(...) instead");
        }
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------------------- for the package's classes

    /** Registers a channel (made non-blocking here) with this reactor's selector. Reactor thread only. */
    SelectionKey register(SelectableChannel channel, int ops, IoHandler handler) throws IOException {
        assert inReactorThread() : "register off the reactor thread";
        channel.configureBlocking(false);
        return channel.register(selector, ops, handler);
    }

    /** The shared read buffer: valid only until the handler that read into it returns. */
    ByteBuffer readBuffer() {
        assert inReactorThread();
        return readBuffer;
    }

    ByteBuffer discardBuffer() {
        assert inReactorThread();
        return discardBuffer;
    }

    Trace trace() {
        return trace;
    }

    /** The TLS scratch buffers every TLS connection of this reactor shares; made on first use. Reactor thread only. */
    TlsBuffers tlsBuffers() {
        assert inReactorThread();
        if (tlsBuffers == null) {
            tlsBuffers = new TlsBuffers(readBuffer.capacity());
        }
        return tlsBuffers;
    }

    /** The TLS counters, registered on first use so that a reactor without TLS shows none. Reactor thread only. */
    TlsMetrics tlsMetrics() {
        assert inReactorThread();
        if (tlsMetrics == null) {
            tlsMetrics = new TlsMetrics(this);
        }
        return tlsMetrics;
    }

    long nextConnectionId() {
        return nextConnectionId++;
    }

    /** The handlers of every registered channel. Reactor thread only. */
    List<IoHandler> handlers() {
        assert inReactorThread();
        List<IoHandler> all = new ArrayList<>();
        for (SelectionKey key : selector.keys()) {
            if (key.isValid()) {
                all.add((IoHandler) key.attachment());
            }
        }
        return all;
    }

    /**
     * Moves every valid key to a new selector. If no selector can be opened (out of descriptors, say), the old one is
     * kept and the guard tries again after the next run of premature selects: a spinning loop is bad, a dead one
     * worse.
     */
    void rebuildSelector() {
        assert inReactorThread();
        Selector old = selector;
        Selector fresh;
        try {
            fresh = selectorOpener.open();
        } catch (IOException | RuntimeException e) {
            stats.selectorRebuildFailures++;
            log.warn("{}: cannot open a new selector ({}); keeping the old one and trying again later", name,
                    e.toString());
            return;
        }
        int moved = 0;
        for (SelectionKey key : old.keys()) {
            if (!key.isValid()) {
                continue;
            }
            IoHandler handler = (IoHandler) key.attachment();
            int ops = key.interestOps();
            key.cancel();
            try {
                handler.rekeyed(key.channel().register(fresh, ops, handler));
                moved++;
            } catch (ClosedChannelException e) {
                handler.forceClose();
            }
        }
        selector = fresh;
        try {
            old.close();
        } catch (IOException e) {
            log.debug("{}: closing the old selector failed: {}", name, e.toString());
        }
        stats.selectorRebuilds++;
        log.info("{}: selector rebuilt, {} channels moved", name, moved);
    }

    private void closeEverything() {
        for (SelectionKey key : selector.keys()) {
            try {
                ((IoHandler) key.attachment()).forceClose();
            } catch (Throwable e) {
                log.debug("{}: closing {} failed", name, key.channel(), e);
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("{}: closing the selector failed", name, e);
        }
        running = false;
        Runnable leftover;
        while ((leftover = tasks.poll()) != null) {
            runGuarded(leftover, "task after stop");
        }
    }

    @Override
    public String toString() {
        return "Reactor " + name;
    }

    /** Settings for {@link #builder()}; every one has a default. Not thread-safe; build on one thread. */
    public static final class Builder {
        private String name = "reactor-0";
        private int readBufferSize = 64 * 1024;
        private Trace trace = Trace.OFF;
        private SelectCall selectCall = SelectCall.DEFAULT;
        private SelectorOpener selectorOpener = Selector::open;
        private int spinThreshold = 512;
        private SelectStrategy strategy = SelectStrategy.BLOCK;
        private boolean daemon;
        private Duration spinFor = Duration.ofNanos(50_000);

        private Builder() {
        }

        /**
         * Whether the reactor thread is a daemon thread (default false: a running reactor keeps the JVM alive, as a
         * server's loop should; a client-side reactor, such as a load generator's, may not want that).
         *
         * @param v true for a daemon thread
         * @return this builder
         */
        public Builder daemon(boolean v) {
            daemon = v;
            return this;
        }

        /**
         * How the loop waits when idle (default {@link SelectStrategy#BLOCK}): see {@link SelectStrategy}.
         *
         * @param v the strategy
         * @return this builder
         */
        public Builder selectStrategy(SelectStrategy v) {
            strategy = Objects.requireNonNull(v);
            return this;
        }

        /**
         * For {@link SelectStrategy#BACKOFF}: how long to spin after the last piece of work before yielding, and then
         * how long to yield before blocking (default 50 µs each).
         *
         * @param v the spin phase's length, not negative
         * @return this builder
         */
        public Builder spinFor(Duration v) {
            if (v.isNegative()) {
                throw new IllegalArgumentException("spin-for must not be negative, got " + v);
            }
            spinFor = v;
            return this;
        }

        /**
         * The reactor's name, also its thread's (default {@code reactor-0}).
         *
         * @param v the name
         * @return this builder
         */
        public Builder name(String v) {
            name = Objects.requireNonNull(v);
            return this;
        }

        /**
         * The one read buffer every connection shares (default 64 KiB): the most one read can take. UDP sockets need
         * more than 65,507 bytes and get a buffer of their own when this is smaller.
         *
         * @param v the size in bytes, at least 1024
         * @return this builder
         */
        public Builder readBufferSize(int v) {
            if (v < 1024) {
                throw new IllegalArgumentException("read buffer must be >= 1024, got " + v);
            }
            readBufferSize = v;
            return this;
        }

        /**
         * Where {@code --trace} lines go (default {@link Trace#OFF}).
         *
         * @param v the trace
         * @return this builder
         */
        public Builder trace(Trace v) {
            trace = Objects.requireNonNull(v);
            return this;
        }

        Builder selectCall(SelectCall v) {
            selectCall = v;
            return this;
        }

        Builder selectorOpener(SelectorOpener v) {
            selectorOpener = v;
            return this;
        }

        Builder spinThreshold(int v) {
            spinThreshold = v;
            return this;
        }

        /** {@return a new reactor, not yet started} */
        public Reactor build() {
            return new Reactor(this);
        }
    }
}
