package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test-only: a {@link StreamHandler} that records every callback it gets, in order, with the thread it ran on, so a
 * test can check the lifecycle the Javadoc promises. Subclass and override a callback (calling super) to act in it.
 * Written on the reactor thread, read by the test thread: every field is thread-safe.
 */
class RecordingHandler implements StreamHandler {
    static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    static final long WAIT_SECONDS = 20;

    /** "open", "data", "writable:false", "writable:true", "drained", "close:PEER_EOF", "connect-failed". */
    final List<String> events = new CopyOnWriteArrayList<>();
    /** Callbacks that ran on a thread other than the connection's reactor thread. */
    final List<String> offThread = new CopyOnWriteArrayList<>();
    final AtomicInteger closes = new AtomicInteger();
    final AtomicInteger drains = new AtomicInteger();
    final CountDownLatch opened = new CountDownLatch(1);
    final CountDownLatch closed = new CountDownLatch(1);
    final CountDownLatch connectFailed = new CountDownLatch(1);
    volatile Connection connection;
    volatile CloseReason reason;
    volatile IOException connectFailure;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    @Override
    public void onOpen(Connection c) {
        check(c, "open");
        connection = c;
        events.add("open");
        opened.countDown();
    }

    @Override
    public void onData(Connection c, ByteBuffer data) {
        check(c, "data");
        events.add("data");
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        synchronized (received) {
            received.writeBytes(bytes);
        }
    }

    @Override
    public void onWritabilityChanged(Connection c, boolean writable) {
        check(c, "writable");
        events.add("writable:" + writable);
    }

    @Override
    public void onDrained(Connection c) {
        check(c, "drained");
        drains.incrementAndGet();
        events.add("drained");
    }

    @Override
    public void onClose(Connection c, CloseReason why) {
        check(c, "close");
        events.add("close:" + why);
        reason = why;
        closes.incrementAndGet();
        closed.countDown();
    }

    @Override
    public void onConnectFailed(SocketAddress remote, IOException cause) {
        events.add("connect-failed");
        connectFailure = cause;
        connectFailed.countDown();
    }

    private void check(Connection c, String what) {
        if (!c.reactor().inReactorThread()) {
            offThread.add(what + " on " + Thread.currentThread().getName());
        }
    }

    byte[] received() {
        synchronized (received) {
            return received.toByteArray();
        }
    }

    int receivedCount() {
        synchronized (received) {
            return received.size();
        }
    }

    void awaitOpen() throws InterruptedException {
        assertThat(opened.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("onOpen called").isTrue();
    }

    /** Waits for onClose and checks it came exactly once, for {@code expected}. */
    void awaitClose(CloseReason expected) throws InterruptedException {
        assertThat(closed.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("onClose called; events " + events).isTrue();
        assertThat(reason).as("close reason; events " + events).isEqualTo(expected);
        assertThat(closes.get()).as("onClose calls").isEqualTo(1);
        assertThat(offThread).as("callbacks off the reactor thread").isEmpty();
    }

    static Reactor started(String name) {
        Reactor reactor = Reactor.builder().name(name).build();
        reactor.start();
        return reactor;
    }

    static void stop(Reactor reactor) throws InterruptedException {
        reactor.stop();
        assertThat(reactor.awaitTermination(Duration.ofSeconds(WAIT_SECONDS))).as(reactor + " ended").isTrue();
    }

    /** Deterministic, position-dependent bytes, so a byte out of place or out of order shows. */
    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) ((i * 31 + seed) % 251);
        }
        return b;
    }
}
