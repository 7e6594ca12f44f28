package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --select-strategy}: every strategy serves, fires timers on time, runs other threads' tasks and stops at
 * once; spinning never trips the spin guard (its selectNow calls are intentional); and backoff really goes back to
 * blocking when idle, which the reactor thread's CPU time shows.
 */
@Timeout(60)
class SelectStrategyTest {
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static Reactor start(String name, SelectStrategy strategy) {
        Reactor reactor = Reactor.builder().name(name).selectStrategy(strategy).spinFor(Duration.ofMillis(1)).build();
        reactor.start();
        return reactor;
    }

    private static void stopAtOnce(Reactor reactor) throws InterruptedException {
        long start = System.nanoTime();
        reactor.stop();
        assertThat(reactor.awaitTermination(Duration.ofSeconds(5))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("stop under %s", reactor.selectStrategy())
                .isLessThan(Duration.ofSeconds(2));
    }

    private static String echo(InetSocketAddress at, String text) throws Exception {
        try (Socket s = Loopback.connect(at)) {
            s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readNBytes(text.length()), StandardCharsets.US_ASCII);
        }
    }

    @ParameterizedTest
    @EnumSource(SelectStrategy.class)
    void everyStrategyServesRunsTasksFiresTimersAndStops(SelectStrategy strategy) throws Exception {
        Reactor reactor = start("strategy-" + strategy, strategy);
        try {
            InetSocketAddress at = (InetSocketAddress) reactor.listen("echo", ANY, Limits.DEFAULTS, () -> Connection::send)
                    .get(10, TimeUnit.SECONDS).address();
            for (int i = 0; i < 20; i++) {
                assertThat(echo(at, "ping " + i)).isEqualTo("ping " + i);
            }
            assertThat(reactor.submit(() -> "from another thread").get(5, TimeUnit.SECONDS))
                    .isEqualTo("from another thread");

            CompletableFuture<Long> firedAfter = new CompletableFuture<>();
            long scheduled = System.nanoTime();
            reactor.execute(() -> reactor.schedule(Duration.ofMillis(50), "test-timer",
                    () -> firedAfter.complete(System.nanoTime() - scheduled)));
            long nanos = firedAfter.get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(nanos)).as("a 50 ms timer under %s", strategy)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(50)).isLessThan(Duration.ofSeconds(2));
            assertThat(reactor.stats().selectorRebuilds()).as("intentional polls are not the epoll bug").isZero();
        } finally {
            stopAtOnce(reactor);
        }
    }

    @Test
    void spinNeverBlocksAndNeverTripsTheSpinGuard() throws Exception {
        Reactor reactor = start("strategy-spin-only", SelectStrategy.SPIN);
        try {
            Eventually.until(() -> reactor.stats().selectSpins() > 100_000, () -> "many polls");
            ReactorStats stats = reactor.stats();
            assertThat(stats.selectBlocks()).isZero();
            assertThat(stats.selectorRebuilds()).isZero();
            assertThat(stats.loopTimeTotal()).as("idle polls are not recorded as loop work")
                    .isLessThan(stats.loops() / 10);
        } finally {
            stopAtOnce(reactor);
        }
    }

    @Test
    void backoffSpinsAfterWorkThenYieldsThenBlocksAndStopsBurningCpu() throws Exception {
        Reactor reactor = start("strategy-backoff", SelectStrategy.BACKOFF);
        try {
            InetSocketAddress at = (InetSocketAddress) reactor.listen("echo", ANY, Limits.DEFAULTS, () -> Connection::send)
                    .get(10, TimeUnit.SECONDS).address();
            try (Socket s = Loopback.connect(at)) {
                for (int i = 0; i < 200; i++) {
                    s.getOutputStream().write('x');
                    assertThat(s.getInputStream().read()).isEqualTo('x');
                }
                ReactorStats busy = reactor.stats();
                assertThat(busy.selectSpins()).as("spins after each request").isPositive();

                Eventually.until(() -> reactor.stats().selectBlocks() > busy.selectBlocks(),
                        () -> "back to blocking after the spin and yield phases");
                assertThat(reactor.stats().selectYields()).isPositive();

                long thread = reactorThreadId(reactor);
                long cpuBefore = THREADS.getThreadCpuTime(thread);
                long wallBefore = System.nanoTime();
                Thread.sleep(1_000);
                long cpu = THREADS.getThreadCpuTime(thread) - cpuBefore;
                long wall = System.nanoTime() - wallBefore;
                System.out.printf("backoff idle: reactor thread CPU %.2f ms in %.0f ms%n", cpu / 1e6, wall / 1e6);
                assertThat(cpu).as("idle CPU of a backoff reactor, ns in %d ns", wall).isLessThan(wall / 100);
                // And it wakes up for the next request.
                s.getOutputStream().write('y');
                assertThat(s.getInputStream().read()).isEqualTo('y');
            }
        } finally {
            stopAtOnce(reactor);
        }
    }

    private static long reactorThreadId(Reactor reactor) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(reactor.name()))
                .findFirst().orElseThrow().getId();
    }
}
