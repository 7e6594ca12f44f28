package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import nioreactor.testing.RandomChunks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A listener that accepts on one reactor and hands each connection to a worker reactor, where it lives for good. */
class HandOffTest {
    private Reactor acceptor;
    private List<Reactor> workers;

    @BeforeEach
    void start() {
        acceptor = Reactor.builder().name("acceptor").build();
        workers = List.of(Reactor.builder().name("worker-0").build(), Reactor.builder().name("worker-1").build());
        acceptor.start();
        workers.forEach(Reactor::start);
    }

    @AfterEach
    void stop() throws InterruptedException {
        acceptor.stop();
        workers.forEach(Reactor::stop);
        assertThat(acceptor.awaitTermination(Duration.ofSeconds(30))).isTrue();
        for (Reactor w : workers) {
            assertThat(w.awaitTermination(Duration.ofSeconds(30))).isTrue();
        }
    }

    /** An echo that records, for every callback, whether it ran on the thread of the reactor it was made for. */
    private static final class ThreadCheckingEcho implements StreamHandler {
        final Reactor home;
        final Map<String, AtomicInteger> wrongThread;

        ThreadCheckingEcho(Reactor home, Map<String, AtomicInteger> wrongThread) {
            this.home = home;
            this.wrongThread = wrongThread;
        }

        private void check(Connection c, String what) {
            if (!home.inReactorThread() || c.reactor() != home) {
                wrongThread.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
            }
        }

        @Override
        public void onOpen(Connection c) {
            check(c, "open");
        }

        @Override
        public void onData(Connection c, ByteBuffer data) {
            check(c, "data");
            c.send(data);
        }

        @Override
        public void onClose(Connection c, CloseReason reason) {
            check(c, "close");
        }
    }

    private Listener listen(ListenOptions options, Map<String, AtomicInteger> wrongThread) throws Exception {
        return acceptor.listen("echo", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Limits.DEFAULTS,
                options, home -> new ThreadCheckingEcho(home, wrongThread)).get(30, TimeUnit.SECONDS);
    }

    @Test
    void roundRobinSpreadsEvenlyAndEveryCallbackRunsOnTheWorker() throws Exception {
        Map<String, AtomicInteger> wrongThread = new ConcurrentHashMap<>();
        Listener listener = listen(ListenOptions.DEFAULTS.handOffTo(workers, ListenOptions.Balance.ROUND_ROBIN),
                wrongThread);
        InetSocketAddress at = (InetSocketAddress) listener.address();
        List<Socket> sockets = new ArrayList<>();
        Random random = new Random(14);
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = Loopback.connect(at);
                sockets.add(s);
                byte[] data = RandomChunks.bytes(random, 20_000);
                OutputStream out = s.getOutputStream();
                Thread writer = new Thread(() -> {
                    try {
                        RandomChunks.write(out, data, new Random(1), 3000);
                    } catch (Exception ignored) {
                        // the read below fails then
                    }
                });
                writer.start();
                InputStream in = s.getInputStream();
                RandomChunks.readAndCheck(in, data, random, 5000, "connection " + i);
                writer.join(30_000);
            }
            assertThat(workers.get(0).stats().connectionsAccepted()).isEqualTo(10);
            assertThat(workers.get(1).stats().connectionsAccepted()).isEqualTo(10);
            assertThat(workers.get(0).stats().connectionsActive()).isEqualTo(10);
            assertThat(acceptor.stats().connectionsAccepted()).isZero();
            assertThat(acceptor.stats().connectionsActive()).isZero();
            assertThat(acceptor.stats().connectionsHandedOff()).isEqualTo(20);
            assertThat(listener.activeConnections()).isEqualTo(20);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        Eventually.until(() -> listener.activeConnections() == 0, () -> "every close counted, not " + listener.activeConnections());
        Eventually.until(() -> workers.get(0).stats().connectionsActive() == 0
                && workers.get(1).stats().connectionsActive() == 0, () -> "closed on the workers");
        assertThat(wrongThread).as("callbacks off their reactor's thread").isEmpty();
    }

    @Test
    void leastConnectionsFillsTheWorkerThatLostItsConnections() throws Exception {
        Map<String, AtomicInteger> wrongThread = new ConcurrentHashMap<>();
        Listener listener = listen(ListenOptions.DEFAULTS.handOffTo(workers, ListenOptions.Balance.LEAST_CONNECTIONS),
                wrongThread);
        InetSocketAddress at = (InetSocketAddress) listener.address();
        List<Socket> onWorker0 = new ArrayList<>();
        List<Socket> all = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                Socket s = Loopback.connect(at);
                all.add(s);
                echoOnce(s);
                if (i % 2 == 0) {
                    onWorker0.add(s); // ties rotate from worker-0: the even ones went there
                }
            }
            assertThat(workers.get(0).stats().connectionsActive()).isEqualTo(4);
            for (Socket s : onWorker0) {
                s.close();
            }
            Eventually.until(() -> workers.get(0).stats().connectionsActive() == 0, () -> "worker-0 emptied");
            for (int i = 0; i < 4; i++) {
                Socket s = Loopback.connect(at);
                all.add(s);
                echoOnce(s);
            }
            assertThat(workers.get(0).stats().connectionsActive()).as("all four new ones on the emptied worker")
                    .isEqualTo(4);
            assertThat(workers.get(1).stats().connectionsActive()).isEqualTo(4);
        } finally {
            for (Socket s : all) {
                s.close();
            }
        }
        assertThat(wrongThread).isEmpty();
    }

    @Test
    void theLimitCountsConnectionsOnEveryWorker() throws Exception {
        Listener listener = acceptor.listen("echo", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Limits.DEFAULTS.withMaxConnections(3),
                ListenOptions.DEFAULTS.handOffTo(workers, ListenOptions.Balance.ROUND_ROBIN),
                home -> (c, d) -> c.send(d)).get(30, TimeUnit.SECONDS);
        InetSocketAddress at = (InetSocketAddress) listener.address();
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Socket s = Loopback.connect(at);
                open.add(s);
                echoOnce(s);
            }
            try (Socket fourth = Loopback.connect(at)) {
                Loopback.assertEof(fourth.getInputStream(), "the fourth connection");
            }
            assertThat(acceptor.stats().connectionsRejected()).isEqualTo(1);
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void aStoppedWorkerGetsNoConnections() throws Exception {
        Listener listener = listen(ListenOptions.DEFAULTS.handOffTo(workers, ListenOptions.Balance.ROUND_ROBIN),
                new ConcurrentHashMap<>());
        workers.get(1).stop();
        assertThat(workers.get(1).awaitTermination(Duration.ofSeconds(30))).isTrue();
        InetSocketAddress at = (InetSocketAddress) listener.address();
        int served = 0;
        for (int i = 0; i < 4; i++) {
            try (Socket s = Loopback.connect(at)) {
                s.getOutputStream().write('x');
                int b = s.getInputStream().read();
                if (b == 'x') {
                    served++;
                }
            } catch (java.io.IOException reset) {
                // closed by the listener: the worker it was meant for has stopped
            }
        }
        assertThat(served).isEqualTo(2);
        assertThat(workers.get(0).stats().connectionsAccepted()).isEqualTo(2);
    }

    @Test
    void optionsAreChecked() {
        assertThatThrownBy(() -> ListenOptions.DEFAULTS.handOffTo(List.of(), ListenOptions.Balance.ROUND_ROBIN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ListenOptions.DEFAULTS.handOffTo(List.of(acceptor, acceptor),
                ListenOptions.Balance.ROUND_ROBIN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ListenOptions.DEFAULTS.expectProxyHeader(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static void echoOnce(Socket s) throws Exception {
        s.getOutputStream().write("ping".getBytes());
        byte[] back = s.getInputStream().readNBytes(4);
        assertThat(new String(back)).isEqualTo("ping");
    }
}
