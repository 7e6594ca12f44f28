package nioreactor.load;

import static java.nio.channels.SelectionKey.OP_CONNECT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load generator on its own selector thread(s), independent of the server's reactor: the one generator
 * behind both {@code compare} and {@code make bench}.
 *
 * <p>Each TCP connection keeps {@code depth} requests in flight: it sends a request and sends the next only when a
 * reply has fully arrived (depth 1 is ping-pong; more is pipelining). Every reply byte is compared with the expected
 * one; a wrong byte, or a byte nobody asked for, fails the run with a {@link LoadFailure} naming the connection and
 * the offset. Latency per request goes into an HdrHistogram, except during the warm-up. Churn mode opens a connection
 * per request; UDP mode runs closed-loop clients of the time service and counts a reply not seen within a second as
 * lost.
 *
 * <p>Use: {@link #connect} (opens the connections), then {@link #run} (any number of times) or {@link #pingEach},
 * then {@link #close}. Not thread-safe: one caller drives it; the worker threads exist only during a run.
 */
public final class LoadGenerator implements AutoCloseable {

    /** Told about once every 200 ms during {@link #run}, on the calling thread. */
    public interface Progress {
        Progress NONE = (elapsedMillis, totalMillis, measuredRequests) -> { };

        void update(long elapsedMillis, long totalMillis, long measuredRequests);
    }

    /** Largest stretch read or written by one syscall. */
    static final int CHUNK = 64 * 1024;
    /** The time service's default format, which UDP clients ask for. */
    public static final String DEFAULT_FORMAT = "%Y-%m-%d-%X";
    private static final long LOST_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long HIGHEST_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final LoadSettings settings;
    private final Exchange exchange;
    private final Worker[] workers;
    private final AtomicBoolean abort = new AtomicBoolean();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    private LoadGenerator(LoadSettings settings) throws IOException {
        this.settings = settings;
        this.exchange = settings.mode() == LoadMode.UDP_TIME ? null : new Exchange(settings.mode(), settings.requestSize(), CHUNK);
        this.workers = new Worker[Math.min(settings.threads(), settings.connections())];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i);
        }
    }

    /**
     * Opens every connection (TCP: connected, Nagle off; churn: the loops connect when a run starts; UDP: connected
     * datagram channels). Fails if one cannot be opened.
     */
    public static LoadGenerator connect(LoadSettings settings) throws IOException {
        LoadGenerator generator = new LoadGenerator(settings);
        try {
            for (int i = 0; i < settings.connections(); i++) {
                Worker w = generator.workers[i % generator.workers.length];
                Peer peer = switch (settings.mode()) {
                    case RAW, FRAMED -> generator.new TcpPeer(w, i, false);
                    case CHURN -> generator.new TcpPeer(w, i, true);
                    case UDP_TIME -> generator.new UdpPeer(w, i);
                };
                w.peers.add(peer);
            }
            return generator;
        } catch (IOException | RuntimeException e) {
            generator.close();
            throw e;
        }
    }

    public LoadSettings settings() {
        return settings;
    }

    /** Connections (or UDP clients) still usable: those that failed with an I/O error are dropped. */
    public int openConnections() {
        int n = 0;
        for (Worker w : workers) {
            for (Peer p : w.peers) {
                n += p.isOpen() ? 1 : 0;
            }
        }
        return n;
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

    private void runWorkers(boolean oneShot, long measureStart, long end, Progress progress) throws InterruptedException {
        abort.set(false);
        failure.set(null);
        Thread[] threads = new Thread[workers.length];
        for (int i = 0; i < workers.length; i++) {
            Worker w = workers[i];
            w.prepare(oneShot, measureStart, end);
            threads[i] = new Thread(w, "loadgen-" + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }
        long start = System.nanoTime();
        long totalMillis = (end - start) / 1_000_000;
        try {
            for (Thread t : threads) {
                while (t.isAlive()) {
                    t.join(200);
                    long measured = 0;
                    for (Worker w : workers) {
                        measured += w.published;
                    }
                    progress.update((System.nanoTime() - start) / 1_000_000, totalMillis, measured);
                }
            }
        } catch (InterruptedException e) {
            abort.set(true);
            for (Thread t : threads) {
                t.join(1_000);
            }
            throw e;
        }
        RuntimeException failed = failure.get();
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public void close() {
        for (Worker w : workers) {
            for (Peer p : w.peers) {
                p.close();
            }
            try {
                w.selector.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    // ------------------------------------------------------------------------------------------- workers

    /** One selector thread and its share of the connections; its fields are touched by its thread only during a run. */
    private final class Worker implements Runnable {
        final int index;
        final Selector selector;
        final List<Peer> peers = new ArrayList<>();
        final ByteBuffer readBuffer = ByteBuffer.allocateDirect(CHUNK);
        final ByteBuffer requests;
        final ByteBuffer replies;
        final Histogram latencies = new Histogram(HIGHEST_LATENCY_NANOS, 3);
        long completed;
        long errors;
        /** completed, published once per loop iteration for the progress line. */
        volatile long published;
        long restartedAtErrors;
        boolean oneShot;
        long oneShotOutstanding;
        long measureStart;
        long end;

        Worker(int index) throws IOException {
            this.index = index;
            this.selector = Selector.open();
            this.requests = exchange == null ? null : exchange.requests();
            this.replies = exchange == null ? null : exchange.replies();
        }

        void prepare(boolean oneShotRun, long measureFrom, long until) {
            oneShot = oneShotRun;
            oneShotOutstanding = 0;
            measureStart = measureFrom;
            end = until;
            latencies.reset();
            completed = 0;
            errors = 0;
            restartedAtErrors = 0;
            published = 0;
        }

        @Override
        public void run() {
            try {
                long now = System.nanoTime();
                for (Peer p : peers) {
                    p.start(now);
                }
                while (!abort.get()) {
                    selector.select(this::ready, 100);
                    published = completed;
                    now = System.nanoTime();
                    if (now >= end || (oneShot && oneShotOutstanding == 0)) {
                        break;
                    }
                    if (settings.mode() == LoadMode.UDP_TIME) {
                        for (Peer p : peers) {
                            ((UdpPeer) p).resendIfLost(now);
                        }
                    } else if (settings.mode() == LoadMode.CHURN && errors > restartedAtErrors) {
                        restartedAtErrors = errors;
                        for (Peer p : peers) {
                            p.start(now); // restarts the loops that failed
                        }
                    }
                }
                published = completed;
            } catch (LoadFailure e) {
                failure.compareAndSet(null, e);
                abort.set(true);
            } catch (IOException | RuntimeException e) {
                failure.compareAndSet(null, new LoadFailure("load generator thread " + index + " failed: " + e));
                abort.set(true);
            }
        }

        private void ready(SelectionKey key) {
            ((Peer) key.attachment()).ready(key.readyOps());
        }

        void done(long sentNanos, long now) {
            if (now >= measureStart && now < end) {
                latencies.recordValue(Math.min(now - sentNanos, HIGHEST_LATENCY_NANOS));
                completed++;
            }
        }
    }

    private interface Peer {
        void start(long now);

        void ready(int readyOps);

        boolean isOpen();

        void close();
    }

    // -------------------------------------------------------------------------------------------- TCP

    /** One TCP connection (or, in churn mode, one connect-request-close loop). */
    private final class TcpPeer implements Peer {
        final Worker worker;
        final int index;
        final boolean churn;
        final int length = exchange.length();
        final int depth = settings.depth();
        /** When each request in flight was sent, by request number modulo depth. */
        final long[] sentAt = new long[depth];
        SocketChannel channel;
        SelectionKey key;
        int interest;
        /** Requests issued, request bytes written and reply bytes read since the connection opened. */
        long issued;
        long written;
        long read;
        long connectStarted;

        TcpPeer(Worker worker, int index, boolean churn) throws IOException {
            this.worker = worker;
            this.index = index;
            this.churn = churn;
            if (!churn) {
                SocketChannel ch = SocketChannel.open();
                try {
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ch.socket().connect(settings.target(), 10_000);
                    ch.configureBlocking(false);
                    channel = ch;
                    interest = OP_READ;
                    key = ch.register(worker.selector, interest, this);
                } catch (IOException | RuntimeException e) {
                    ch.close();
                    throw new IOException("connection " + index + " to " + settings.target() + ": " + e.getMessage(), e);
                }
            }
        }

        @Override
        public void start(long now) {
            if (churn) {
                if (channel == null) {
                    reconnect(now);
                }
                return;
            }
            if (channel == null) {
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
        public void ready(int readyOps) {
            if (channel == null) {
                return;
            }
            if ((readyOps & OP_CONNECT) != 0) {
                connected();
                return;
            }
            if ((readyOps & OP_WRITE) != 0) {
                flush();
            }
            if ((readyOps & OP_READ) != 0 && channel != null) {
                receive();
            }
        }

        private void flush() {
            ByteBuffer src = worker.requests;
            long target = issued * length;
            try {
                while (written < target) {
                    int offset = (int) (written % length);
                    int n = (int) Math.min(target - written, CHUNK);
                    src.limit(offset + n).position(offset);
                    int w = channel.write(src);
                    written += w;
                    if (w < n) {
                        setInterest(OP_READ | OP_WRITE);
                        return;
                    }
                }
            } catch (IOException e) {
                failed(e);
                return;
            }
            setInterest(OP_READ);
        }

        private void receive() {
            ByteBuffer buf = worker.readBuffer;
            while (true) {
                buf.clear();
                int n;
                try {
                    n = channel.read(buf);
                } catch (IOException e) {
                    failed(e);
                    return;
                }
                if (n < 0) {
                    failed(new IOException("the server closed the connection"));
                    return;
                }
                if (n == 0) {
                    return;
                }
                check(buf.flip(), n);
                long now = System.nanoTime();
                long before = read / length;
                read += n;
                long after = read / length;
                for (long k = before; k < after; k++) {
                    worker.done(sentAt[(int) (k % depth)], now);
                    if (worker.oneShot) {
                        worker.oneShotOutstanding--;
                    } else if (!churn) {
                        issue(now);
                    }
                }
                if (churn && after > 0) {
                    closeChannel();
                    reconnect(now);
                    return;
                }
                if (after > before && !worker.oneShot) {
                    flush();
                    if (channel == null) {
                        return;
                    }
                }
                if (n < CHUNK) {
                    return; // drained: another read would return 0
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
                        got.get(at) & 0xFF, expected.get(offset + at) & 0xFF));
            }
        }

        private void reconnect(long now) {
            issued = written = read = 0;
            connectStarted = now;
            try {
                SocketChannel ch = SocketChannel.open();
                channel = ch;
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (ch.connect(settings.target())) {
                    interest = OP_READ;
                    key = ch.register(worker.selector, interest, this);
                    sendChurnRequest();
                } else {
                    interest = OP_CONNECT;
                    key = ch.register(worker.selector, interest, this);
                }
            } catch (IOException e) {
                churnFailed(e);
            }
        }

        private void connected() {
            try {
                channel.finishConnect();
            } catch (IOException e) {
                churnFailed(e);
                return;
            }
            sendChurnRequest();
        }

        private void sendChurnRequest() {
            issue(connectStarted); // churn latency runs from the connect, so it includes the handshake
            flush();
        }

        /**
         * A churn loop that failed counts an error; the worker's loop starts it over on its next turn (not from here,
         * so a connect that keeps failing at once cannot recurse).
         */
        private void churnFailed(IOException e) {
            worker.errors++;
            closeChannel();
        }

        private void failed(IOException e) {
            if (churn) {
                churnFailed(e);
                return;
            }
            worker.errors++;
            long unanswered = issued - read / length;
            if (worker.oneShot) {
                worker.oneShotOutstanding -= unanswered;
            }
            closeChannel();
        }

        private void setInterest(int ops) {
            if (ops != interest && key != null) {
                interest = ops;
                key.interestOps(ops);
            }
        }

        private void closeChannel() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing: nothing to do
                }
                channel = null;
                key = null;
            }
        }

        @Override
        public boolean isOpen() {
            return churn || channel != null;
        }

        @Override
        public void close() {
            closeChannel();
        }
    }

    // -------------------------------------------------------------------------------------------- UDP

    /**
     * One closed-loop client of the time service: a request for the default format, then the next as soon as the
     * time arrives. The request spells the default format out ({@value #DEFAULT_FORMAT}) instead of sending the empty
     * datagram that means the same: a {@code DatagramChannel} silently sends nothing for an empty buffer (seen on JDK
     * 17 and 25), and only a blocking {@code DatagramSocket} can send one. Every server answers both alike.
     */
    private final class UdpPeer implements Peer {
        final Worker worker;
        final int index;
        final DatagramChannel channel;
        final ByteBuffer request = ByteBuffer.wrap(DEFAULT_FORMAT.getBytes(StandardCharsets.US_ASCII));
        long sentAt;
        boolean awaiting;

        UdpPeer(Worker worker, int index) throws IOException {
            this.worker = worker;
            this.index = index;
            this.channel = DatagramChannel.open();
            try {
                channel.connect(settings.target());
                channel.configureBlocking(false);
                channel.register(worker.selector, OP_READ, this);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
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
            try {
                channel.write(request.clear());
            } catch (IOException e) {
                worker.errors++; // e.g. refused: the next resendIfLost tries again
            }
        }

        @Override
        public void ready(int readyOps) {
            ByteBuffer buf = worker.readBuffer;
            while (true) {
                buf.clear();
                try {
                    // read, not receive: on a connected channel it skips building the sender's address per datagram
                    // (the generator has one core, like the server, so its own cost per request matters). Every
                    // reply is non-empty, so 0 means nothing is waiting.
                    if (channel.read(buf) <= 0) {
                        return;
                    }
                } catch (IOException e) {
                    worker.errors++;
                    return;
                }
                checkTime(buf.flip());
                long now = System.nanoTime();
                if (awaiting) {
                    awaiting = false;
                    worker.done(sentAt, now);
                }
                send(now);
            }
        }

        /** The default format, %Y-%m-%d-%X: digits and separators in the shape 2026-11-25-17:12:10. */
        private void checkTime(ByteBuffer reply) {
            String shape = "dddd-dd-dd-dd:dd:dd";
            boolean ok = reply.remaining() == shape.length();
            for (int i = 0; ok && i < shape.length(); i++) {
                byte b = reply.get(i);
                ok = shape.charAt(i) == 'd' ? b >= '0' && b <= '9' : b == shape.charAt(i);
            }
            if (!ok) {
                byte[] text = new byte[Math.min(reply.remaining(), 80)];
                reply.get(reply.position(), text);
                throw new LoadFailure(String.format("udp client %d to %s: reply \"%s\" does not look like %%Y-%%m-%%d-%%X",
                        index, settings.target(), new String(text, StandardCharsets.UTF_8)));
            }
        }

        void resendIfLost(long now) {
            if (awaiting && now - sentAt > LOST_AFTER_NANOS) {
                worker.errors++; // lost (or the server is not there): count it and ask again
                send(now);
            }
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing: nothing to do
            }
        }
    }
}
