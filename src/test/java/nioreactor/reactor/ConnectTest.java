package nioreactor.reactor;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static nioreactor.reactor.RecordingHandler.ANY;
import static nioreactor.reactor.RecordingHandler.WAIT_SECONDS;
import static nioreactor.reactor.RecordingHandler.started;
import static nioreactor.reactor.RecordingHandler.stop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import nioreactor.testing.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Reactor#connect}: the future completes with an open connection after onOpen and bytes flow both ways, to a
 * listener on the same reactor or on another; a refused connect and a connect that times out fail the future with
 * the cause, tell onConnectFailed once, and count as connectFailures. Only 127.0.0.1 is ever a target.
 */
@Timeout(60)
class ConnectTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private Reactor reactor;

    @BeforeEach
    void start() {
        reactor = started("connect");
    }

    @AfterEach
    void end() throws InterruptedException {
        stop(reactor);
    }

    /** Greets, then echoes. */
    private static StreamHandler greetingEcho() {
        return new StreamHandler() {
            @Override
            public void onOpen(Connection c) {
                c.send(ByteBuffer.wrap("welcome;".getBytes(US_ASCII)));
            }

            @Override
            public void onData(Connection c, ByteBuffer data) {
                c.send(data);
            }
        };
    }

    /** Says hello in onOpen and records what comes back. */
    private static final class Client extends RecordingHandler {
        @Override
        public void onOpen(Connection c) {
            super.onOpen(c);
            c.send(ByteBuffer.wrap("hello".getBytes(US_ASCII)));
        }
    }

    private static void assertConversation(Client client, CompletableFuture<Connection> connecting,
                                           InetSocketAddress server) throws Exception {
        // Runs as the future completes (on the reactor thread, or here if it already has): onOpen must be done.
        CompletableFuture<Boolean> openedFirst = connecting.thenApply(c -> client.opened.getCount() == 0);
        Connection c = connecting.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(openedFirst.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("onOpen ran before the future completed")
                .isTrue();
        assertThat(client.connection).isSameAs(c);
        assertThat(c.service()).isEqualTo("outbound");
        assertThat(c.remoteAddress()).isEqualTo(server);
        Eventually.until(() -> client.receivedCount() == 13, () -> new String(client.received(), US_ASCII));
        assertThat(new String(client.received(), US_ASCII)).isEqualTo("welcome;hello");
        assertThat(client.events).startsWith("open").doesNotContain("connect-failed");
        assertThat(client.offThread).isEmpty();
    }

    @Test
    void connectsToAListenerOnTheSameReactorFromAnotherThread() throws Exception {
        InetSocketAddress server = (InetSocketAddress) reactor.listen("echo", ANY, Limits.DEFAULTS, ConnectTest::greetingEcho)
                .get(WAIT_SECONDS, TimeUnit.SECONDS).address();
        Client client = new Client();
        CompletableFuture<Connection> connecting = reactor.connect(server, Limits.DEFAULTS, Duration.ofSeconds(5),
                client);
        assertConversation(client, connecting, server);
        Connection c = connecting.get();
        assertThat(reactor.submit(() -> reactor.connections()).get(WAIT_SECONDS, TimeUnit.SECONDS))
                .hasSize(2).contains(c);
        ReactorStats stats = reactor.stats();
        assertThat(stats.connectionsConnected()).isEqualTo(1);
        assertThat(stats.connectionsAccepted()).isEqualTo(1);
        assertThat(stats.connectFailures()).isZero();

        reactor.execute(() -> c.close(CloseReason.LOCAL));
        client.awaitClose(CloseReason.LOCAL);
    }

    @Test
    void connectsToAListenerOnAnotherReactorFromInsideATask() throws Exception {
        Reactor other = started("connect-other");
        try {
            InetSocketAddress server = (InetSocketAddress) other.listen("echo", ANY, Limits.DEFAULTS, ConnectTest::greetingEcho)
                    .get(WAIT_SECONDS, TimeUnit.SECONDS).address();
            Client client = new Client();
            // On the reactor thread, connect starts inline; the future still completes only after onOpen.
            CompletableFuture<Connection> connecting = reactor.submit(() -> reactor.connect(server, Limits.DEFAULTS,
                    Duration.ofSeconds(5), client)).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertConversation(client, connecting, server);
            assertThat(other.stats().connectionsAccepted()).isEqualTo(1);
            assertThat(reactor.stats().connectionsConnected()).isEqualTo(1);
        } finally {
            stop(other);
        }
    }

    /** A loopback port nobody listens on: bound, noted, closed. */
    private static InetSocketAddress closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return new InetSocketAddress(LOOPBACK, s.getLocalPort());
        }
    }

    private static void assertFailed(CompletableFuture<Connection> connecting, RecordingHandler h,
                                     Class<? extends Exception> cause) throws Exception {
        assertThatThrownBy(() -> connecting.get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(cause);
        assertThat(h.connectFailed.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(h.events).as("onConnectFailed once, and no other callback").containsExactly("connect-failed");
        Throwable futureCause = connecting.handle((c, e) -> e).get();
        assertThat(h.connectFailure).as("the same cause").isSameAs(futureCause);
    }

    @Test
    void aRefusedConnectFailsTheFutureAndTellsTheHandlerOnce() throws Exception {
        InetSocketAddress nobody = closedPort();
        RecordingHandler h = new RecordingHandler();
        CompletableFuture<Connection> connecting = reactor.connect(nobody, Limits.DEFAULTS, Duration.ofSeconds(5), h);
        assertFailed(connecting, h, ConnectException.class);
        assertThat(reactor.stats().connectFailures()).isEqualTo(1);
        assertThat(reactor.stats().connectionsConnected()).isZero();
        assertThat(reactor.stats().connectionsActive()).isZero();

        // Also from the reactor thread.
        RecordingHandler again = new RecordingHandler();
        CompletableFuture<Connection> inline = reactor.submit(() -> reactor.connect(nobody, Limits.DEFAULTS,
                Duration.ofSeconds(5), again)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertFailed(inline, again, ConnectException.class);
        assertThat(reactor.stats().connectFailures()).isEqualTo(2);
    }

    /**
     * A listener whose accept queue is full: backlog 1, never accepting, filled by blocking connects until one of them
     * times out. Linux then drops further SYNs, so a connect to it hangs until someone's timeout fires.
     */
    private static final class FullBacklog implements AutoCloseable {
        final ServerSocket server;
        final List<Socket> fillers = new ArrayList<>();

        FullBacklog() throws Exception {
            server = new ServerSocket(0, 1, LOOPBACK);
            for (int i = 0; i < 16; i++) {
                Socket s = new Socket();
                try {
                    s.connect(server.getLocalSocketAddress(), 300);
                    fillers.add(s);
                } catch (SocketTimeoutException full) {
                    s.close();
                    return;
                }
            }
            close();
            throw new AssertionError("the accept queue of a backlog-1 listener never filled: not Linux?");
        }

        InetSocketAddress address() {
            return new InetSocketAddress(LOOPBACK, server.getLocalPort());
        }

        @Override
        public void close() throws java.io.IOException {
            for (Socket s : fillers) {
                s.close();
            }
            server.close();
        }
    }

    @Test
    void aHandlerThatFailsInOnOpenFailsTheFutureInsteadOfHandingOverAClosedConnection() throws Exception {
        InetSocketAddress server = (InetSocketAddress) reactor.listen("echo", ANY, Limits.DEFAULTS,
                ConnectTest::greetingEcho).get(WAIT_SECONDS, TimeUnit.SECONDS).address();
        CompletableFuture<Connection> connecting = reactor.connect(server, Limits.DEFAULTS, Duration.ofSeconds(5),
                new StreamHandler() {
                    @Override
                    public void onOpen(Connection c) {
                        throw new IllegalStateException("planted");
                    }

                    @Override
                    public void onData(Connection c, ByteBuffer data) {
                    }
                });
        assertThatThrownBy(() -> connecting.get(WAIT_SECONDS, TimeUnit.SECONDS))
                .hasCauseInstanceOf(java.net.ConnectException.class).hasMessageContaining("onOpen");
        assertThat(reactor.stats().closed(CloseReason.HANDLER_ERROR)).isEqualTo(1);
        // The accepted side then reads EOF and closes too: nothing is left open, nothing miscounted.
        Eventually.until(() -> reactor.stats().connectionsActive() == 0, () -> "both sides closed");
    }

    @Test
    void aConnectThatGetsNoAnswerTimesOut() throws Exception {
        try (FullBacklog silent = new FullBacklog()) {
            Duration timeout = Duration.ofMillis(300);
            RecordingHandler h = new RecordingHandler();
            long begun = System.nanoTime();
            CompletableFuture<Connection> connecting = reactor.connect(silent.address(), Limits.DEFAULTS, timeout, h);
            assertFailed(connecting, h, SocketTimeoutException.class);
            assertThat(System.nanoTime() - begun).as("not before the timeout").isGreaterThanOrEqualTo(timeout.toNanos());
            assertThat(reactor.stats().connectFailures()).isEqualTo(1);

            RecordingHandler inline = new RecordingHandler();
            CompletableFuture<Connection> fromTask = reactor.submit(() -> reactor.connect(silent.address(),
                    Limits.DEFAULTS, timeout, inline)).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertFailed(fromTask, inline, SocketTimeoutException.class);
            assertThat(reactor.stats().connectFailures()).isEqualTo(2);
        }
    }

    @Test
    void aConnectStillPendingWhenTheReactorStopsFailsAndTellsTheHandler() throws Exception {
        try (FullBacklog silent = new FullBacklog()) {
            RecordingHandler h = new RecordingHandler();
            CompletableFuture<Connection> connecting = reactor.connect(silent.address(), Limits.DEFAULTS,
                    Duration.ZERO, h); // no timeout of ours: only the stop ends it
            // The connect is registered once a task run after it has run.
            reactor.submit(() -> null).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(connecting).isNotDone();
            reactor.shutdownGracefully(Duration.ofSeconds(5)).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertFailed(connecting, h, ConnectException.class);
            assertThat(reactor.stats().connectFailures()).isEqualTo(1);
        }
    }
}
