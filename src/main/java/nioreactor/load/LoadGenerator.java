package nioreactor.load;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import nioreactor.protocol.TimeFormat;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Connection;
import nioreactor.reactor.DatagramHandler;
import nioreactor.reactor.Limits;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.TlsContext;
import nioreactor.reactor.StreamHandler;
import nioreactor.reactor.Timer;
import nioreactor.reactor.UdpLimits;
import nioreactor.reactor.UdpSocket;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load generator built on the library's own outbound connections: each of its threads is a
 * {@link Reactor} ({@code loadgen-0}, ...), each TCP connection a {@link StreamHandler} on {@link Reactor#connect},
 * each UDP client a {@link DatagramHandler} on {@link Reactor#connectUdp}. It is the one generator behind both
 * {@code compare} and {@code make bench}, and, being a client of the same event loop it measures, the proof that the
 * library serves outbound connections as well as inbound ones.
 *
 * <p>Each TCP connection keeps {@code depth} requests in flight: it sends a request and sends the next only when a
 * reply has fully arrived (depth 1 is ping-pong; more is pipelining). Every reply byte is compared with the expected
 * one in {@link StreamHandler#onData}; a wrong byte, or a byte nobody asked for, fails the run with a
 * {@link LoadFailure} naming the connection and the offset. Latency per request goes into an HdrHistogram, except
 * during the warm-up. Churn mode opens a connection per request ({@link Reactor#connect} again after each reply); UDP
 * mode runs closed-loop clients of the time service and counts a reply not seen within a second as lost.
 *
 * <p>The hot path allocates nothing: requests are sent with {@link Connection#send} from one pre-built buffer of
 * back-to-back requests, at most {@value #CHUNK} bytes at a time and the next stretch only once the previous one has
 * left (so the connection's write queue copies, and allocates, only when the kernel's send buffer is full: large
 * requests), and replies are checked in the reactor's read buffer against a pre-built buffer of expected replies.
 *
 * <p>A run is a task on each reactor: it starts the peers, a timer ends it, and another (every 100 ms) publishes the
 * progress and, for UDP, resends what was lost. Between runs the reactors keep reading (and checking) the replies to
 * requests still in flight, but issue no new ones and record nothing.
 *
 * <p>Use: {@link #connect} (starts the reactors and opens the connections), then {@link #run} (any number of times) or
 * {@link #pingEach}, then {@link #close} (stops the reactors, closing every connection). Not thread-safe: one caller
 * drives it.
 */
public final class LoadGenerator implements AutoCloseable {

    /** Told about once every 200 ms during {@link #run}, on the calling thread. */
    public interface Progress {
        Progress NONE = (elapsedMillis, totalMillis, measuredRequests) -> { };

        void update(long elapsedMillis, long totalMillis, long measuredRequests);
    }

    /** Largest stretch handed to one send, and the reactors' read buffer: the most one read takes. */
    static final int CHUNK = 64 * 1024;
    private static final long LOST_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long HIGHEST_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Connects in flight at once while {@link #connect} opens the connections: thousands at once (the idle scenario)
     * would overflow a server's listen backlog and wait for SYN retransmits.
     */
    private static final int CONNECTS_IN_FLIGHT = 256;
    /** How often a run publishes its progress and looks for lost datagrams. */
    private static final Duration TICK = Duration.ofMillis(100);
    /**
     * The generator's connections: no write timeout (a server that stops reading holds its connection until the run
     * ends, as it always did); pending output never passes one {@link #CHUNK}, far under the high water mark.
     */
    private static final Limits LIMITS = Limits.DEFAULTS.withWriteTimeout(Duration.ZERO);

    private final LoadSettings settings;
    /** Null for plaintext; else every TCP connection is a TLS client through the library's own TLS layer. */
    private final TlsContext tls;
    private final Exchange exchange;
    private final Worker[] workers;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    private LoadGenerator(LoadSettings settings, TlsContext tls) {
        this.settings = settings;
        this.tls = tls;
        this.exchange = settings.mode() == LoadMode.UDP_TIME ? null : new Exchange(settings.mode(), settings.requestSize(), CHUNK);
        this.workers = new Worker[Math.min(settings.threads(), settings.connections())];
        try {
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(i);
            }
        } catch (RuntimeException e) {
            for (Worker w : workers) {
                if (w != null) {
                    w.reactor.stop(); // a half-built generator must not leave threads and selectors behind
                }
            }
            throw e;
        }
    }

    /**
     * Starts the reactors and opens every connection (TCP: connected, Nagle off; churn: the loops connect when a run
     * starts; UDP: connected datagram sockets). Fails if one cannot be opened within 10 s.
     */
    public static LoadGenerator connect(LoadSettings settings) throws IOException {
        return connect(settings, null);
    }

    /**
     * As {@link #connect(LoadSettings)}, each TCP connection over TLS with {@code tls} (a client context; null for
     * plaintext): the handshake is part of connecting, and in churn mode part of every request's latency.
     */
    public static LoadGenerator connect(LoadSettings settings, TlsContext tls) throws IOException {
        if (tls != null && settings.mode() == LoadMode.UDP_TIME) {
            throw new IllegalArgumentException("TLS is for TCP modes");
        }
        LoadGenerator generator = new LoadGenerator(settings, tls);
        try {
            generator.openAll();
            return generator;
        } catch (IOException | RuntimeException e) {
            generator.close();
            throw e;
        }
    }

    private void openAll() throws IOException {
        List<CompletableFuture<?>> opened = new ArrayList<>();
        Semaphore inFlight = new Semaphore(CONNECTS_IN_FLIGHT);
        try {
            for (int i = 0; i < settings.connections(); i++) {
                Worker w = workers[i % workers.length];
                switch (settings.mode()) {
                    case RAW, FRAMED -> {
                        TcpPeer peer = new TcpPeer(w, i, false);
                        w.peers.add(peer);
                        inFlight.acquire();
                        opened.add(w.reactor.connect(settings.target(), LIMITS, CONNECT_TIMEOUT, tls, peer)
                                .whenComplete((c, e) -> inFlight.release()));
                    }
                    case CHURN -> w.peers.add(new TcpPeer(w, i, true));
                    case UDP_TIME -> {
                        UdpPeer peer = new UdpPeer(w, i);
                        w.peers.add(peer);
                        opened.add(w.reactor.connectUdp("loadgen-udp", (InetSocketAddress) settings.target(), UdpLimits.DEFAULTS, peer)
                                .thenAccept(socket -> peer.socket = socket));
                    }
                }
            }
            for (int i = 0; i < opened.size(); i++) {
                try {
                    opened.get(i).get(CONNECT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    throw new IOException("connection " + i + " to " + settings.target() + ": " + cause.getMessage(), cause);
                } catch (TimeoutException e) {
                    throw new IOException("connection " + i + " to " + settings.target() + ": no answer from the reactor");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to " + settings.target());
        }
    }

    public LoadSettings settings() {
        return settings;
    }

    /** Connections (or UDP clients) still usable: those that failed with an I/O error are dropped. */
    public int openConnections() {
        int n = 0;
        for (Worker w : workers) {
            n += ask(w.reactor.submit(() -> {
                int open = 0;
                for (Peer p : w.peers) {
                    open += p.isOpen() ? 1 : 0;
                }
                return open;
            }));
        }
        return n;
    }

    private static int ask(CompletableFuture<Integer> answer) {
        try {
            return answer.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("a load generator reactor did not answer", e);
        }
    }

    /**
     * Runs the load for the warm-up plus the duration and returns what the measured part saw.
     *
     * @throws LoadFailure if a reply was wrong
     */
    public LoadResult run(Progress progress) throws InterruptedException {
        return run(settings.warmup(), settings.duration(), progress);
    }

    /**
     * Like {@link #run(Progress)} with another warm-up and duration than the settings', e.g. a longer warm-up for the
     * first round on fresh connections and shorter ones for the next rounds on the same connections.
     */
    public LoadResult run(Duration warmup, Duration duration, Progress progress) throws InterruptedException {
        long start = System.nanoTime();
        long measureStart = start + warmup.toNanos();
        long end = measureStart + duration.toNanos();
        runWorkers(false, measureStart, end, progress);
        Histogram all = new Histogram(HIGHEST_LATENCY_NANOS, 3);
        long requests = 0;
        long errors = 0;
        for (Worker w : workers) {
            all.add(w.latencies);
            requests += w.completed;
            errors += w.errors;
        }
        return LoadResult.of(requests, duration.toNanos() / 1e9, all, errors);
    }

    /**
     * One request on every TCP connection, waiting for all the replies: proves every connection was accepted and is
     * served (the idle-memory scenario opens connections, pings each, then leaves them idle).
     */
    public void pingEach(Duration timeout) throws IOException, InterruptedException {
        if (settings.mode() != LoadMode.RAW && settings.mode() != LoadMode.FRAMED) {
            throw new IllegalStateException("pingEach is for the raw and framed modes");
        }
        long now = System.nanoTime();
        runWorkers(true, now, now + timeout.toNanos(), Progress.NONE);
        long unanswered = 0;
        for (Worker w : workers) {
            unanswered += w.oneShotOutstanding;
        }
        if (unanswered > 0) {
            throw new IOException(unanswered + " connection(s) got no full reply within " + timeout.toMillis() + " ms");
        }
    }

    /** Starts a run on every reactor, as a task, and waits until each has ended it (its end timer, or a failure). */
    private void runWorkers(boolean oneShot, long measureStart, long end, Progress progress) throws InterruptedException {
        failure.set(null);
        CompletableFuture<?>[] ended = new CompletableFuture<?>[workers.length];
        for (int i = 0; i < workers.length; i++) {
            Worker w = workers[i];
            CompletableFuture<Void> done = new CompletableFuture<>();
            ended[i] = done;
            w.reactor.execute(() -> w.begin(oneShot, measureStart, end, done));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(ended);
        long start = System.nanoTime();
        long totalMillis = (end - start) / 1_000_000;
        try {
            while (true) {
                try {
                    all.get(200, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException e) {
                    progress.update((System.nanoTime() - start) / 1_000_000, totalMillis, published());
                    for (Worker w : workers) {
                        if (!w.reactor.isRunning()) {
                            throw new LoadFailure("load generator thread " + w.reactor.name() + " stopped");
                        }
                    }
                } catch (ExecutionException e) {
                    throw new LoadFailure("load generator run failed: " + e.getCause());
                }
            }
            progress.update((System.nanoTime() - start) / 1_000_000, totalMillis, published());
        } catch (InterruptedException e) {
            abortAll();
            try {
                all.get(1, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException | InterruptedException ignored) {
                // interrupted: leave at once all the same
            }
            throw e;
        }
        RuntimeException failed = failure.get();
        if (failed != null) {
            throw failed;
        }
    }

    private long published() {
        long measured = 0;
        for (Worker w : workers) {
            measured += w.published;
        }
        return measured;
    }

    /** A wrong reply (or a bug of ours) on one reactor ends the run on all of them. */
    private void fail(RuntimeException e) {
        failure.compareAndSet(null, e);
        abortAll();
    }

    private void abortAll() {
        for (Worker w : workers) {
            w.reactor.execute(w.finishTask);
        }
    }

    /** Stops the reactors, which closes every connection and socket, and waits for their threads to end. */
    @Override
    public void close() {
        for (Worker w : workers) {
            w.reactor.stop();
        }
        boolean interrupted = false;
        for (Worker w : workers) {
            try {
                w.reactor.awaitTermination(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------- workers

    /**
     * One reactor and its share of the connections. Its fields are touched by its reactor thread only, except that
     * the caller reads the results once {@link #begin}'s future completed (which orders the accesses).
     */
    private final class Worker {
        final Reactor reactor;
        final List<Peer> peers = new ArrayList<>();
        final ByteBuffer requests;
        final ByteBuffer replies;
        final Histogram latencies = new Histogram(HIGHEST_LATENCY_NANOS, 3);
        final Runnable finishTask = this::finish;
        final Runnable tickTask = this::tick;
        /** True while a run is on: peers issue requests and results are counted only then. */
        boolean active;
        /** True while {@link #begin} starts the peers: a one-shot run must not end before every peer has asked. */
        boolean starting;
        long completed;
        long errors;
        /** completed, published every tick for the progress line. */
        volatile long published;
        boolean oneShot;
        long oneShotOutstanding;
        long measureStart;
        long end;
        Timer endTimer;
        Timer tickTimer;
        CompletableFuture<Void> ended;

        Worker(int index) {
            // Daemon threads, as the private loop's were: a caller that forgets close() must not keep its JVM up.
            this.reactor = Reactor.builder().name("loadgen-" + index).readBufferSize(CHUNK).daemon(true).build();
            this.requests = exchange == null ? null : exchange.requests();
            this.replies = exchange == null ? null : exchange.replies();
            reactor.start();
        }

        /** Starts a run. Reactor thread. */
        void begin(boolean oneShotRun, long measureFrom, long until, CompletableFuture<Void> done) {
            oneShot = oneShotRun;
            oneShotOutstanding = 0;
            measureStart = measureFrom;
            end = until;
            latencies.reset();
            completed = 0;
            errors = 0;
            published = 0;
            ended = done;
            active = true;
            long now = System.nanoTime();
            starting = true;
            for (Peer p : peers) {
                p.start(now);
            }
            starting = false;
            if (oneShot && oneShotOutstanding <= 0) {
                finish();
                return;
            }
            endTimer = reactor.schedule(Duration.ofNanos(Math.max(0, end - now)), "loadgen-end", finishTask);
            tickTimer = reactor.schedule(TICK, "loadgen-tick", tickTask);
        }

        private void tick() {
            if (!active) {
                return;
            }
            published = completed;
            if (settings.mode() == LoadMode.UDP_TIME) {
                long now = System.nanoTime();
                for (Peer p : peers) {
                    ((UdpPeer) p).resendIfLost(now);
                }
            }
            tickTimer = reactor.schedule(TICK, "loadgen-tick", tickTask);
        }

        /** Ends the run (its end timer, the last one-shot reply, or a failure anywhere). Reactor thread; idempotent. */
        void finish() {
            if (!active) {
                return;
            }
            active = false;
            published = completed;
            if (endTimer != null) {
                endTimer.cancel();
                endTimer = null;
            }
            if (tickTimer != null) {
                tickTimer.cancel();
                tickTimer = null;
            }
            ended.complete(null);
        }

        void done(long sentNanos, long now) {
            if (active && now >= measureStart && now < end) {
                latencies.recordValue(Math.min(now - sentNanos, HIGHEST_LATENCY_NANOS));
                completed++;
            }
        }

        void error() {
            if (active) {
                errors++;
            }
        }

        /** A one-shot run's replies (or connections lost) came in: the run ends when none is outstanding. */
        void oneShotAnswered(long replies) {
            if (active && oneShot) {
                oneShotOutstanding -= replies;
                if (oneShotOutstanding <= 0 && !starting) {
                    finish();
                }
            }
        }

        void failed(RuntimeException e) {
            fail(e instanceof LoadFailure ? e : new LoadFailure("load generator thread " + reactor.name() + " failed: " + e));
        }
    }

    private interface Peer {
        /** A run begins: issue the requests. */
        void start(long now);

        boolean isOpen();
    }

    // -------------------------------------------------------------------------------------------- TCP

    /** One TCP connection (or, in churn mode, one connect-request-close loop). Reactor thread only. */
    private final class TcpPeer implements Peer, StreamHandler {
        final Worker worker;
        final int index;
        final boolean churn;
        final int length = exchange.length();
        final int depth = settings.depth();
        /** When each request in flight was sent, by request number modulo depth. */
        final long[] sentAt = new long[depth];
        final Runnable restartTask = this::restart;
        /** Null while not connected. */
        Connection connection;
        /** Churn: a connect is in progress. */
        boolean connecting;
        /** Requests issued, request bytes handed to send and reply bytes read since the connection opened. */
        long issued;
        long written;
        long read;
        long connectStarted;

        TcpPeer(Worker worker, int index, boolean churn) {
            this.worker = worker;
            this.index = index;
            this.churn = churn;
        }

        @Override
        public void start(long now) {
            if (churn) {
                if (connection == null && !connecting) {
                    reconnect(now);
                }
                return;
            }
            if (connection == null) {
                return;
            }
            long target = worker.oneShot ? 1 : depth;
            long inFlight = issued - read / length;
            for (long i = inFlight; i < target; i++) {
                issue(now);
            }
            if (worker.oneShot) {
                worker.oneShotOutstanding += issued - read / length;
            }
            flush();
        }

        private void issue(long sentNanos) {
            sentAt[(int) (issued % depth)] = sentNanos;
            issued++;
        }

        @Override
        public void onOpen(Connection c) {
            connection = c;
            if (churn) {
                connecting = false;
                sendChurnRequest();
            }
        }

        /**
         * Hands the requests issued and not yet sent to the connection, one stretch of at most {@link #CHUNK} bytes
         * at a time, the next only once the previous has left entirely ({@link #onDrained} calls back here).
         */
        private void flush() {
            Connection c = connection;
            ByteBuffer src = worker.requests;
            long target = issued * length;
            while (written < target && c.pendingBytes() == 0) {
                int offset = (int) (written % length);
                int n = (int) Math.min(target - written, CHUNK);
                src.limit(offset + n).position(offset);
                written += n;
                c.send(src);
                if (connection != c) {
                    return; // the write failed and closed it
                }
            }
        }

        @Override
        public void onDrained(Connection c) {
            if (c == connection) {
                flush();
            }
        }

        @Override
        public void onData(Connection c, ByteBuffer data) {
            try {
                received(c, data);
            } catch (RuntimeException e) {
                worker.failed(e);
                if (connection == c) {
                    connection = null;
                    c.close(CloseReason.LOCAL); // its stream is out of step now: no use to later runs
                }
            }
        }

        private void received(Connection c, ByteBuffer got) {
            int n = got.remaining();
            check(got, n);
            long now = System.nanoTime();
            long before = read / length;
            read += n;
            long after = read / length;
            for (long k = before; k < after; k++) {
                worker.done(sentAt[(int) (k % depth)], now);
                if (!churn && worker.active && !worker.oneShot) {
                    issue(now);
                }
            }
            if (churn) {
                if (after > 0) {
                    connection = null;
                    c.close(CloseReason.LOCAL);
                    if (worker.active) {
                        reconnect(now);
                    }
                }
                return;
            }
            if (after > before) {
                if (worker.oneShot) {
                    worker.oneShotAnswered(after - before);
                } else {
                    flush();
                }
            }
        }

        /** Every byte against the expected reply at the same stream offset. */
        private void check(ByteBuffer got, int n) {
            if (read + n > issued * length) {
                throw new LoadFailure(String.format("connection %d to %s: %d reply bytes arrived but only %d were asked for",
                        index, settings.target(), read + n, issued * length));
            }
            int offset = (int) (read % length);
            ByteBuffer expected = worker.replies;
            expected.limit(offset + n).position(offset);
            int at = got.mismatch(expected);
            if (at >= 0) {
                long byteOfStream = read + at;
                throw new LoadFailure(String.format(
                        "connection %d to %s: wrong reply byte at offset %d of reply %d: got 0x%02x, expected 0x%02x",
                        index, settings.target(), byteOfStream % length, byteOfStream / length,
                        got.get(got.position() + at) & 0xFF, expected.get(offset + at) & 0xFF));
            }
        }

        /** Churn: a new connection for the next request; the request goes out in {@link #onOpen}. */
        private void reconnect(long now) {
            issued = written = read = 0;
            connectStarted = now;
            connecting = true;
            // No connect timeout, as before: a connect the server never answers only stops this loop until the run ends.
            worker.reactor.connect(settings.target(), LIMITS, Duration.ZERO, tls, this);
        }

        private void sendChurnRequest() {
            issue(connectStarted); // churn latency runs from the connect, so it includes the handshake
            flush();
        }

        /**
         * A churn loop that failed counts an error and starts over in a task of the reactor's next iteration (not
         * from here, so a connect that keeps failing at once cannot recurse).
         */
        @Override
        public void onConnectFailed(SocketAddress remote, IOException cause) {
            connecting = false;
            if (churn) { // a connect of LoadGenerator.connect's own fails that call instead
                worker.error();
                worker.reactor.execute(restartTask);
            }
        }

        private void restart() {
            if (worker.active && connection == null && !connecting) {
                reconnect(System.nanoTime());
            }
        }

        /** The server closed or reset the connection (ours are closed after setting {@link #connection} to null). */
        @Override
        public void onClose(Connection c, CloseReason reason) {
            if (c != connection) {
                return;
            }
            connection = null;
            worker.error();
            if (churn) {
                worker.reactor.execute(restartTask);
                return;
            }
            worker.oneShotAnswered(issued - read / length);
        }

        @Override
        public boolean isOpen() {
            return churn || connection != null;
        }
    }

    // -------------------------------------------------------------------------------------------- UDP

    /**
     * One closed-loop client of the time service: a request for the default format, then the next as soon as the
     * time arrives. The request spells the default format out ({@value TimeFormat#DEFAULT_FORMAT}) instead of sending the empty
     * datagram that means the same: a {@code DatagramChannel} silently sends nothing for an empty buffer (seen on JDK
     * 17 and 25), and only a blocking {@code DatagramSocket} can send one. Every server answers both alike.
     *
     * <p>The socket is connected ({@link Reactor#connectUdp}), so replies are read with {@code read}, not
     * {@code receive}, which would build the sender's address per datagram: the generator has one core, like the
     * server, so its own cost per request matters.
     */
    private final class UdpPeer implements Peer, DatagramHandler {
        final Worker worker;
        final int index;
        final ByteBuffer request;
        /** Set once connected, before any run. */
        volatile UdpSocket socket;
        long sentAt;
        boolean awaiting;

        UdpPeer(Worker worker, int index) {
            this.worker = worker;
            this.index = index;
            byte[] format = TimeFormat.DEFAULT_FORMAT.getBytes(StandardCharsets.US_ASCII);
            this.request = ByteBuffer.allocateDirect(format.length).put(format).flip();
        }

        @Override
        public void start(long now) {
            if (!awaiting) {
                send(now);
            }
        }

        private void send(long now) {
            sentAt = now;
            awaiting = true;
            if (!socket.send(null, request.clear())) {
                worker.error(); // e.g. refused: the next resendIfLost tries again
            }
        }

        @Override
        public void onDatagram(UdpSocket s, SocketAddress from, ByteBuffer data) {
            try {
                checkTime(data);
            } catch (RuntimeException e) {
                worker.failed(e);
                return;
            }
            long now = System.nanoTime();
            if (awaiting) {
                awaiting = false;
                worker.done(sentAt, now);
            }
            if (worker.active) {
                send(now);
            }
        }

        /** The default format, %Y-%m-%d-%X: digits and separators in the shape 2026-11-25-17:12:10. */
        private void checkTime(ByteBuffer reply) {
            String shape = "dddd-dd-dd-dd:dd:dd";
            int at = reply.position();
            boolean ok = reply.remaining() == shape.length();
            for (int i = 0; ok && i < shape.length(); i++) {
                byte b = reply.get(at + i);
                ok = shape.charAt(i) == 'd' ? b >= '0' && b <= '9' : b == shape.charAt(i);
            }
            if (!ok) {
                byte[] text = new byte[Math.min(reply.remaining(), 80)];
                reply.get(at, text);
                throw new LoadFailure(String.format("udp client %d to %s: reply \"%s\" does not look like %%Y-%%m-%%d-%%X",
                        index, settings.target(), new String(text, StandardCharsets.UTF_8)));
            }
        }

        void resendIfLost(long now) {
            if (awaiting && now - sentAt > LOST_AFTER_NANOS) {
                worker.error(); // lost (or the server is not there): count it and ask again
                send(now);
            }
        }

        @Override
        public boolean isOpen() {
            return socket != null;
        }
    }
}
