package nioreactor.reactor;

import static nioreactor.reactor.RecordingHandler.ANY;
import static nioreactor.reactor.RecordingHandler.WAIT_SECONDS;
import static nioreactor.reactor.RecordingHandler.started;
import static nioreactor.reactor.RecordingHandler.stop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The single-thread rule's corners: what must not wait for the reactor on the reactor thread fails or runs at once
 * (no 10 s hang), and a stopped reactor still answers {@link Reactor#stats()} with its last counters.
 */
@Timeout(30)
class ThreadRuleTest {
    /** Far under the 10 s a method waits for the reactor's answer: anything near that would be the hang. */
    private static final long AT_ONCE_NANOS = TimeUnit.SECONDS.toNanos(2);

    @Test
    void awaitTerminationOnTheReactorThreadThrowsAtOnce() throws Exception {
        Reactor reactor = started("await");
        try {
            long begun = System.nanoTime();
            CompletableFuture<Boolean> waited = reactor.submit(() -> reactor.awaitTermination(Duration.ofSeconds(10)));
            assertThatThrownBy(() -> waited.get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalStateException.class);
            assertThat(System.nanoTime() - begun).isLessThan(AT_ONCE_NANOS);
            assertThat(reactor.isRunning()).isTrue();
        } finally {
            stop(reactor);
        }
    }

    @Test
    void submitOnTheReactorThreadRunsInlineAndExecuteDefers() throws Exception {
        Reactor reactor = started("inline");
        try {
            List<String> order = new CopyOnWriteArrayList<>();
            boolean inline = reactor.submit(() -> {
                CompletableFuture<Thread> inner = reactor.submit(Thread::currentThread);
                order.add("submitted");
                reactor.execute(() -> order.add("executed"));
                order.add("after execute");
                // Already complete, so waiting on it on the reactor thread cannot deadlock.
                return inner.isDone() && inner.get() == Thread.currentThread();
            }).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(inline).isTrue();
            reactor.submit(() -> null).get(WAIT_SECONDS, TimeUnit.SECONDS); // the deferred task has run by now
            assertThat(order).containsExactly("submitted", "after execute", "executed");
        } finally {
            stop(reactor);
        }
    }

    @Test
    void statsOnTheReactorThreadReturnsAtOnce() throws Exception {
        Reactor reactor = started("stats-inline");
        try {
            long begun = System.nanoTime();
            ReactorStats inside = reactor.submit(reactor::stats).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(System.nanoTime() - begun).isLessThan(AT_ONCE_NANOS);
            assertThat(inside.loops()).isGreaterThanOrEqualTo(0);
        } finally {
            stop(reactor);
        }
    }

    @Test
    void statsAfterTheReactorStoppedAreItsLastCounters() throws Exception {
        Reactor reactor = started("stats-after");
        RecordingHandler h = new RecordingHandler();
        InetSocketAddress at = (InetSocketAddress) reactor.listen("svc", ANY, Limits.DEFAULTS, () -> h)
                .get(WAIT_SECONDS, TimeUnit.SECONDS).address();
        try (Socket s = Loopback.connect(at)) {
            s.getOutputStream().write(new byte[123]);
            nioreactor.testing.Eventually.until(() -> h.receivedCount() == 123, () -> h.receivedCount() + " bytes");
            stop(reactor);
        }
        h.awaitClose(CloseReason.SHUTDOWN);
        assertThat(reactor.isRunning()).isFalse();
        long begun = System.nanoTime();
        ReactorStats last = reactor.stats();
        assertThat(System.nanoTime() - begun).isLessThan(AT_ONCE_NANOS);
        assertThat(last.connectionsAccepted()).isEqualTo(1);
        assertThat(last.bytesRead()).isEqualTo(123);
        assertThat(last.closed(CloseReason.SHUTDOWN)).isEqualTo(1);
        assertThat(last.connectionsActive()).isZero();
        assertThat(reactor.stats().loops()).isEqualTo(last.loops()); // nothing runs any more
        // Work handed to a stopped reactor fails instead of waiting forever.
        assertThatThrownBy(() -> reactor.submit(() -> 1).get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void serverShutdownOnTheReactorThreadThrowsAtOnce() throws Exception {
        Server server = Server.start(ServerConfig.builder().ephemeralPorts().build());
        try {
            long begun = System.nanoTime();
            CompletableFuture<Reactor.ShutdownSummary> inside = server.reactor()
                    .submit(() -> server.shutdown(Duration.ofSeconds(5)));
            assertThatThrownBy(() -> inside.get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalStateException.class);
            assertThat(System.nanoTime() - begun).isLessThan(AT_ONCE_NANOS);
            assertThat(server.reactor().isRunning()).isTrue();
        } finally {
            server.close();
        }
        assertThat(server.reactor().isRunning()).isFalse();
    }
}
