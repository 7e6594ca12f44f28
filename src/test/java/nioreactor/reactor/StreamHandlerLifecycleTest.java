package nioreactor.reactor;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static nioreactor.reactor.RecordingHandler.ANY;
import static nioreactor.reactor.RecordingHandler.WAIT_SECONDS;
import static nioreactor.reactor.RecordingHandler.pattern;
import static nioreactor.reactor.RecordingHandler.started;
import static nioreactor.reactor.RecordingHandler.stop;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link StreamHandler} lifecycle as its Javadoc and {@link Connection}'s promise it, through real loopback
 * sockets and the public API only: onOpen first, onData with the bytes, onClose exactly once with the right
 * {@link CloseReason}, the water-mark edges, onDrained once per pending episode, pause and resume, and what a
 * connection says about itself.
 */
@Timeout(60)
class StreamHandlerLifecycleTest {
    /**
     * More than the kernel can absorb: on loopback the server's send buffer autotunes up to tcp_wmem's maximum (4 MiB
     * here), and one 8 MiB write was once seen taken whole, so the margin is wide: only a reply well past that is sure
     * to leave bytes queued in the connection itself.
     */
    private static final int MORE_THAN_THE_KERNEL_HOLDS = 24 << 20;
    private Reactor reactor;

    @BeforeEach
    void start() {
        reactor = started("lifecycle");
    }

    @AfterEach
    void end() throws InterruptedException {
        stop(reactor);
    }

    private InetSocketAddress listen(Limits limits, java.util.function.Supplier<? extends StreamHandler> handlers)
            throws Exception {
        return (InetSocketAddress) reactor.listen("svc", ANY, limits, handlers).get(WAIT_SECONDS, TimeUnit.SECONDS).address();
    }

    private <T> T onReactor(java.util.concurrent.Callable<T> task) throws Exception {
        return reactor.submit(task).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Echoes, and greets in onOpen. */
    private static class Greeter extends RecordingHandler {
        @Override
        public void onOpen(Connection c) {
            super.onOpen(c);
            c.send(ByteBuffer.wrap("hello\n".getBytes(US_ASCII)));
        }

        @Override
        public void onData(Connection c, ByteBuffer data) {
            super.onData(c, data);
            c.send(data);
        }
    }

    @Test
    void aGreetingSentInOnOpenArrivesBeforeTheEchoOfAnythingAndFinEndsItOnce() throws Exception {
        Greeter h = new Greeter();
        InetSocketAddress at = listen(Limits.DEFAULTS, () -> h);
        try (Socket s = Loopback.connect(at)) {
            // Written before reading anything: the server's first callback must still be onOpen.
            s.getOutputStream().write("ping".getBytes(US_ASCII));
            InputStream in = s.getInputStream();
            assertThat(new String(in.readNBytes(10), US_ASCII)).isEqualTo("hello\nping");
            s.shutdownOutput(); // FIN
            Loopback.assertEof(in, "after our FIN the echo closes");
            h.awaitClose(CloseReason.PEER_EOF);
        }
        assertThat(h.events.get(0)).isEqualTo("open");
        assertThat(h.events).containsSubsequence("open", "data", "close:PEER_EOF");
        assertThat(new String(h.received(), US_ASCII)).isEqualTo("ping");
        assertThat(reactor.stats().closed(CloseReason.PEER_EOF)).isEqualTo(1);
    }

    @Test
    void aConnectionSaysWhatItIsAndConnectionsListsTheOpenOnes() throws Exception {
        AtomicInteger made = new AtomicInteger();
        List<RecordingHandler> handlers = new java.util.concurrent.CopyOnWriteArrayList<>();
        InetSocketAddress at = listen(Limits.DEFAULTS.withWaterMarks(1000, 100), () -> {
            made.incrementAndGet();
            RecordingHandler h = new RecordingHandler();
            handlers.add(h);
            return h;
        });
        try (Socket a = Loopback.connect(at); Socket b = Loopback.connect(at)) {
            Eventually.until(() -> handlers.size() == 2 && handlers.get(1).opened.getCount() == 0,
                    () -> "two connections opened");
            handlers.get(0).awaitOpen();
            Connection ca = handlers.get(0).connection;
            Connection cb = handlers.get(1).connection;
            Connection forA = ca.remoteAddress().equals(a.getLocalSocketAddress()) ? ca : cb;
            Connection forB = forA == ca ? cb : ca;

            assertThat(onReactor(() -> {
                assertThat(forA.id()).isPositive().isNotEqualTo(forB.id());
                assertThat(forA.reactor()).isSameAs(reactor);
                assertThat(forA.service()).isEqualTo("svc");
                assertThat(forA.localAddress()).isEqualTo(at);
                assertThat(forA.remoteAddress()).isEqualTo(a.getLocalSocketAddress());
                assertThat(forB.remoteAddress()).isEqualTo(b.getLocalSocketAddress());
                assertThat(forA.state()).isEqualTo(ConnectionState.OPEN);
                assertThat(forA.isClosing()).isFalse();
                assertThat(forA.isWritable()).isTrue();
                assertThat(forA.pendingBytes()).isZero();
                assertThat(forA.isReadingPaused()).isFalse();
                assertThat(forA.<Object>attachment()).isNull();
                forA.attach("session-a");
                forA.attach("session-a2"); // replaces
                forB.attach(42);
                assertThat(forA.<String>attachment()).isEqualTo("session-a2");
                assertThat(forB.<Integer>attachment()).isEqualTo(42);
                assertThat(reactor.connections()).containsExactlyInAnyOrder(forA, forB);
                return true;
            })).isTrue();

            b.close();
            RecordingHandler hb = forB == ca ? handlers.get(0) : handlers.get(1);
            hb.awaitClose(CloseReason.PEER_EOF);
            assertThat(onReactor(() -> reactor.connections())).containsExactly(forA);
            assertThat(onReactor(() -> forB.state())).isEqualTo(ConnectionState.CLOSED);
            assertThat(onReactor(() -> forB.isClosing())).isTrue();
        }
        assertThat(made.get()).isEqualTo(2);
    }

    @Test
    void aPeerResetClosesWithReset() throws Exception {
        RecordingHandler h = new RecordingHandler();
        InetSocketAddress at = listen(Limits.DEFAULTS, () -> h);
        Socket s = Loopback.connect(at);
        h.awaitOpen();
        s.setSoLinger(true, 0); // close sends RST instead of FIN
        s.close();
        h.awaitClose(CloseReason.RESET);
        assertThat(reactor.stats().closed(CloseReason.RESET)).isEqualTo(1);
    }

    @Test
    void closeLocalFromTheHandlerClosesAtOnceWithItsReason() throws Exception {
        RecordingHandler h = new RecordingHandler() {
            @Override
            public void onData(Connection c, ByteBuffer data) {
                super.onData(c, data);
                c.close(CloseReason.LOCAL);
                c.close(CloseReason.RESET); // closing a closed connection does nothing
            }
        };
        InetSocketAddress at = listen(Limits.DEFAULTS, () -> h);
        try (Socket s = Loopback.connect(at)) {
            s.getOutputStream().write('q');
            Loopback.assertEof(s.getInputStream(), "closed by the handler");
            h.awaitClose(CloseReason.LOCAL);
        }
        assertThat(h.events).containsExactly("open", "data", "close:LOCAL");
    }

    @Test
    void closeAfterFlushDeliversEveryQueuedByteThenFinAndReadsNothingMore() throws Exception {
        // However much the kernel absorbs today (its send buffer auto-tunes), the reply grows until some of it is
        // really queued in the connection when closeAfterFlush is called: the case under test.
        byte[] chunk = pattern(1 << 20, 7);
        java.util.concurrent.CompletableFuture<byte[]> sent = new java.util.concurrent.CompletableFuture<>();
        AtomicLong pendingAtClose = new AtomicLong(-1);
        java.util.concurrent.atomic.AtomicBoolean closingAfter = new java.util.concurrent.atomic.AtomicBoolean();
        RecordingHandler h = new RecordingHandler() {
            @Override
            public void onData(Connection c, ByteBuffer data) {
                super.onData(c, data);
                if (pendingAtClose.get() < 0) {
                    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                    for (int i = 0; i < 64 && c.pendingBytes() == 0; i++) {
                        c.send(ByteBuffer.wrap(chunk));
                        all.writeBytes(chunk);
                    }
                    pendingAtClose.set(c.pendingBytes());
                    c.closeAfterFlush(CloseReason.PROTOCOL_ERROR);
                    closingAfter.set(c.isClosing());
                    sent.complete(all.toByteArray());
                }
            }
        };
        InetSocketAddress at = listen(Limits.DEFAULTS, () -> h);
        try (Socket s = Loopback.connect(at, 8 * 1024)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write('x');
            int first = in.read();
            byte[] reply = sent.get(WAIT_SECONDS, TimeUnit.SECONDS);
            // The server is now DRAINING with most of the reply queued: what we send now must be read and dropped,
            // never handed to the handler (and never left unread, which would turn the close into a reset).
            out.write("ignored".getBytes(US_ASCII));
            byte[] rest = in.readNBytes(reply.length - 1);
            assertThat(first).isEqualTo(reply[0] & 0xff);
            assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(reply, 1, reply.length));
            Loopback.assertEof(in, "FIN after the last queued byte");
            h.awaitClose(CloseReason.PROTOCOL_ERROR);
        }
        assertThat(pendingAtClose.get()).as("bytes were still queued when closeAfterFlush was called").isPositive();
        assertThat(closingAfter.get()).as("isClosing right after closeAfterFlush").isTrue();
        assertThat(h.events.stream().filter("data"::equals).count()).isEqualTo(1);
        assertThat(h.received()).containsExactly('x');
        assertThat(reactor.stats().bytesAbandoned()).isZero();
        assertThat(reactor.stats().closed(CloseReason.PROTOCOL_ERROR)).isEqualTo(1);
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeoutButTrafficKeepsItOpen() throws Exception {
        Duration idle = Duration.ofMillis(500);
        AtomicLong closedAt = new AtomicLong();
        RecordingHandler h = new RecordingHandler() {
            @Override
            public void onClose(Connection c, CloseReason why) {
                closedAt.set(System.nanoTime());
                super.onClose(c, why);
            }
        };
        InetSocketAddress at = listen(Limits.DEFAULTS.withIdleTimeout(idle), () -> h);
        try (Socket s = Loopback.connect(at)) {
            h.awaitOpen();
            // Traffic every 100 ms for longer than the timeout: reads are progress, so it must stay open.
            long lastWrite = 0;
            for (int i = 0; i < 8; i++) {
                lastWrite = System.nanoTime(); // the server's last progress is after this
                s.getOutputStream().write('k');
                Thread.sleep(100); // pacing the traffic, not synchronising
            }
            assertThat(h.closes.get()).as("closed although it was busy; events " + h.events).isZero();
            h.awaitClose(CloseReason.IDLE);
            Loopback.assertEof(s.getInputStream(), "idle close");
            assertThat(h.receivedCount()).isEqualTo(8);
            assertThat(closedAt.get() - lastWrite).as("closed before the idle timeout")
                    .isGreaterThanOrEqualTo(idle.toNanos());
        }
        assertThat(reactor.stats().closed(CloseReason.IDLE)).isEqualTo(1);
    }

    @Test
    void aListenerAtItsMaximumRejectsWithoutMakingOrOpeningAHandler() throws Exception {
        AtomicInteger made = new AtomicInteger();
        List<RecordingHandler> handlers = new java.util.concurrent.CopyOnWriteArrayList<>();
        InetSocketAddress at = listen(Limits.DEFAULTS.withMaxConnections(1), () -> {
            made.incrementAndGet();
            RecordingHandler h = new RecordingHandler();
            handlers.add(h);
            return h;
        });
        try (Socket first = Loopback.connect(at)) {
            Eventually.until(() -> handlers.size() == 1, () -> "first connection opened");
            handlers.get(0).awaitOpen();
            try (Socket second = Loopback.connect(at)) {
                Loopback.assertEof(second.getInputStream(), "over the maximum: accepted and closed at once");
            }
            assertThat(made.get()).as("handlers made").isEqualTo(1);
            ReactorStats stats = reactor.stats();
            assertThat(stats.connectionsRejected()).isEqualTo(1);
            assertThat(stats.closed(CloseReason.LIMIT)).isEqualTo(1);
            assertThat(stats.connectionsActive()).isEqualTo(1);
            assertThat(handlers.get(0).closes.get()).isZero();
        }
        handlers.get(0).awaitClose(CloseReason.PEER_EOF);
        // Its slot is free again.
        try (Socket third = Loopback.connect(at)) {
            Eventually.until(() -> handlers.size() == 2, () -> "third connection opened");
            handlers.get(1).awaitOpen();
        }
        assertThat(made.get()).isEqualTo(2);
    }

    @Test
    void shutdownGracefullyClosesOpenConnectionsWithShutdown() throws Exception {
        RecordingHandler h = new RecordingHandler();
        InetSocketAddress at = listen(Limits.DEFAULTS, () -> h);
        try (Socket s = Loopback.connect(at)) {
            h.awaitOpen();
            Reactor.ShutdownSummary summary = reactor.shutdownGracefully(Duration.ofSeconds(5))
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
            Loopback.assertEof(s.getInputStream(), "shutdown");
            h.awaitClose(CloseReason.SHUTDOWN);
            assertThat(summary.connectionsClosed()).isEqualTo(1);
            assertThat(reactor.isRunning()).isFalse();
        }
        assertThat(reactor.stats().closed(CloseReason.SHUTDOWN)).isEqualTo(1);
        assertThat(reactor.shutdownGracefully(Duration.ofSeconds(5))).isDone();
    }

    @Test
    void writabilityFallsAboveTheHighMarkAndReturnsUnderTheLowOneAndEveryByteArrivesInOrder() throws Exception {
        byte[] big = pattern(MORE_THAN_THE_KERNEL_HOLDS, 3);
        AtomicLong pendingAtEdge = new AtomicLong();
        AtomicLong pendingAtReturn = new AtomicLong(-1);
        CountDownLatch unwritable = new CountDownLatch(1);
        List<String> mismatches = new java.util.concurrent.CopyOnWriteArrayList<>();
        RecordingHandler h = new RecordingHandler() {
            @Override
            public void onData(Connection c, ByteBuffer data) {
                super.onData(c, data);
                c.send(ByteBuffer.wrap(big));
            }

            @Override
            public void onWritabilityChanged(Connection c, boolean writable) {
                super.onWritabilityChanged(c, writable);
                if (c.isWritable() != writable) {
                    mismatches.add("isWritable " + c.isWritable() + " in onWritabilityChanged(" + writable + ")");
                }
                if (!writable) {
                    pendingAtEdge.set(c.pendingBytes());
                    unwritable.countDown();
                } else {
                    pendingAtReturn.set(c.pendingBytes());
                }
            }
        };
        long high = 64 * 1024;
        long low = 16 * 1024;
        InetSocketAddress at = listen(Limits.DEFAULTS.withWaterMarks(high, low), () -> h);
        try (Socket s = Loopback.connect(at, 8 * 1024)) {
            s.getOutputStream().write('g');
            assertThat(unwritable.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(onReactor(() -> h.connection.isWritable())).isFalse();
            assertThat(onReactor(() -> h.connection.state())).isEqualTo(ConnectionState.PAUSED);
            assertThat(pendingAtEdge.get()).isGreaterThan(high);
            assertThat(h.events).doesNotContain("writable:true", "drained");

            byte[] got = s.getInputStream().readNBytes(big.length);
            assertThat(got).isEqualTo(big);
            Eventually.until(() -> h.drains.get() == 1, () -> "drained once; events " + h.events);
            assertThat(h.events).containsSubsequence("writable:false", "writable:true");
            assertThat(pendingAtReturn.get()).isBetween(0L, low);
            assertThat(h.events.stream().filter(e -> e.startsWith("writable")).toList())
                    .containsExactly("writable:false", "writable:true");
            assertThat(onReactor(() -> h.connection.isWritable())).isTrue();
            assertThat(onReactor(() -> h.connection.state())).isEqualTo(ConnectionState.OPEN);

            // A second episode: one more onDrained, and one more pair of edges.
            s.getOutputStream().write('g');
            assertThat(s.getInputStream().readNBytes(big.length)).isEqualTo(big);
            Eventually.until(() -> h.drains.get() == 2, () -> "drained twice; events " + h.events);
        }
        h.awaitClose(CloseReason.PEER_EOF);
        assertThat(mismatches).isEmpty();
        assertThat(h.drains.get()).isEqualTo(2);
        ReactorStats stats = reactor.stats();
        assertThat(stats.backpressurePauses()).isEqualTo(2);
        assertThat(stats.bytesWritten()).isEqualTo(2L * big.length);
        assertThat(stats.bytesPending()).isZero();
    }

    /**
     * A producer that sends without input (a stream), the way the Javadoc asks: only while writable, resuming on
     * onWritabilityChanged(true). It also counts its own pending episodes (pending went from none to some) to check
     * that onDrained comes once per episode and never while nothing was pending.
     */
    private static final class Producer extends RecordingHandler {
        static final int CHUNK = 16 * 1024;
        final byte[] stream;
        final AtomicInteger episodes = new AtomicInteger();
        final List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
        int offset;
        boolean pending;

        Producer(byte[] stream) {
            this.stream = stream;
        }

        @Override
        public void onOpen(Connection c) {
            super.onOpen(c);
            produce(c);
        }

        @Override
        public void onWritabilityChanged(Connection c, boolean writable) {
            super.onWritabilityChanged(c, writable);
            if (writable) {
                produce(c);
            }
        }

        @Override
        public void onDrained(Connection c) {
            super.onDrained(c);
            if (!pending) {
                violations.add("onDrained without a pending episode");
            }
            if (c.pendingBytes() != 0) {
                violations.add("onDrained with " + c.pendingBytes() + " bytes pending");
            }
            pending = false;
        }

        private void produce(Connection c) {
            while (c.isWritable() && offset < stream.length) {
                int n = Math.min(CHUNK, stream.length - offset);
                c.send(ByteBuffer.wrap(stream, offset, n));
                offset += n;
                if (!pending && c.pendingBytes() > 0) {
                    pending = true;
                    episodes.incrementAndGet();
                }
            }
        }
    }

    @Test
    void aProducerThatHonoursWritabilityStaysUnderTheHighMarkPlusAChunkAndDrainsOncePerEpisode() throws Exception {
        byte[] stream = pattern(2 * MORE_THAN_THE_KERNEL_HOLDS, 11);
        Producer p = new Producer(stream);
        long high = 64 * 1024;
        InetSocketAddress at = listen(Limits.DEFAULTS.withWaterMarks(high, 16 * 1024), () -> p);
        try (Socket s = Loopback.connect(at, 8 * 1024)) {
            InputStream in = s.getInputStream();
            byte[] got = new byte[stream.length];
            int off = 0;
            while (off < got.length) {
                int n = in.read(got, off, Math.min(4096, got.length - off)); // a slow-ish reader
                assertThat(n).isPositive();
                off += n;
            }
            assertThat(got).isEqualTo(stream);
            Eventually.until(() -> p.drains.get() == p.episodes.get() && p.events.contains("drained"),
                    () -> p.drains.get() + " drains for " + p.episodes.get() + " episodes");
        }
        p.awaitClose(CloseReason.PEER_EOF);
        assertThat(p.violations).isEmpty();
        assertThat(p.events).contains("writable:false", "writable:true");
        ReactorStats stats = reactor.stats();
        assertThat(stats.peakConnectionPending()).isLessThanOrEqualTo(high + Producer.CHUNK);
        // The counters must agree with the bytes the client read, also when the handler sends from inside a
        // callback that a flush makes (onWritabilityChanged(true) here).
        assertThat(stats.bytesWritten()).as("bytesWritten").isEqualTo(stream.length);
        assertThat(stats.bytesPending()).as("bytesPending once everything was read").isZero();
        assertThat(stats.bytesAbandoned()).isZero();
    }

    @Test
    void aHandlerThatCutsASlowConsumerInOnWritabilityChangedLeavesTheCountersRight() throws Exception {
        byte[] big = pattern(MORE_THAN_THE_KERNEL_HOLDS, 5);
        RecordingHandler h = new RecordingHandler() {
            @Override
            public void onData(Connection c, ByteBuffer data) {
                super.onData(c, data);
                c.send(ByteBuffer.wrap(big));
            }

            @Override
            public void onWritabilityChanged(Connection c, boolean writable) {
                super.onWritabilityChanged(c, writable);
                if (!writable) {
                    c.close(CloseReason.SLOW_CONSUMER); // inside send(), as the queue crosses its high mark
                }
            }
        };
        InetSocketAddress at = listen(Limits.DEFAULTS.withWaterMarks(64 * 1024, 16 * 1024), () -> h);
        try (Socket s = Loopback.connect(at, 8 * 1024)) {
            s.getOutputStream().write('g');
            h.awaitClose(CloseReason.SLOW_CONSUMER);
        }
        assertThat(h.events).containsExactly("open", "data", "writable:false", "close:SLOW_CONSUMER");
        ReactorStats stats = reactor.stats();
        assertThat(stats.bytesPending()).as("bytesPending after the only connection closed").isZero();
        assertThat(stats.bytesWritten() + stats.bytesAbandoned()).as("written + abandoned").isEqualTo(big.length);
        assertThat(stats.closed(CloseReason.SLOW_CONSUMER)).isEqualTo(1);
    }

    @Test
    void whilePausedNothingIsDeliveredAndAfterResumeEverythingIsInOrder() throws Exception {
        RecordingHandler paused = new RecordingHandler() {
            @Override
            public void onOpen(Connection c) {
                super.onOpen(c);
                c.pauseReading();
            }
        };
        InetSocketAddress pausedAt = listen(Limits.DEFAULTS, () -> paused);
        InetSocketAddress echoAt = (InetSocketAddress) reactor.listen("echo", ANY, Limits.DEFAULTS, () -> Connection::send)
                .get(WAIT_SECONDS, TimeUnit.SECONDS).address();
        byte[] first = pattern(10_000, 1);
        byte[] second = pattern(5_000, 2);
        try (Socket p = Loopback.connect(pausedAt); Socket echo = Loopback.connect(echoAt)) {
            paused.awaitOpen();
            assertThat(onReactor(() -> paused.connection.isReadingPaused())).isTrue();
            p.getOutputStream().write(first);
            // A round trip through the same reactor after our bytes reached the paused connection's socket: the loop
            // has selected since, and a connection that was still reading would have been handed them.
            echo.getOutputStream().write("ping".getBytes(US_ASCII));
            assertThat(echo.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes(US_ASCII));
            assertThat(paused.events).containsExactly("open");
            assertThat(reactor.stats().bytesRead()).as("only the echo's bytes were read").isEqualTo(4);

            reactor.execute(() -> paused.connection.resumeReading());
            Eventually.until(() -> paused.receivedCount() == first.length, () -> paused.receivedCount() + " bytes");
            assertThat(onReactor(() -> paused.connection.isReadingPaused())).isFalse();
            p.getOutputStream().write(second);
            Eventually.until(() -> paused.receivedCount() == first.length + second.length,
                    () -> paused.receivedCount() + " bytes");
        }
        byte[] all = new byte[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        assertThat(paused.received()).isEqualTo(all);
        paused.awaitClose(CloseReason.PEER_EOF);
    }
}
