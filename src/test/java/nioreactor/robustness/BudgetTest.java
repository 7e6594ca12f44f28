package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import nioreactor.demo.LoopbackReactor;
import nioreactor.reactor.Connection;
import nioreactor.reactor.Limits;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.StreamHandler;
import nioreactor.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The per-iteration budgets, observed from inside the loop: a handler notes the loop iteration it runs in, so a test
 * can check that no connection is read more than {@code readBudget} bytes, and no more than {@code acceptBudget}
 * connections are accepted, in one iteration.
 */
@Timeout(120)
class BudgetTest {

    /** Counts per (loop iteration, connection); reactor-thread state, read through {@link #call}. */
    private static final class PerIteration {
        private final Map<String, Long> counts = new HashMap<>();
        /** Set once the reactor exists, before any client connects; volatile since the test thread sets it. */
        volatile Reactor reactor;
        long total;

        void add(Object who, long n) {
            counts.merge(reactor.stats().loops() + "/" + who, n, Long::sum);
            total += n;
        }

        long max() {
            return counts.values().stream().mapToLong(Long::longValue).max().orElse(0);
        }
    }

    @Test
    void noConnectionIsReadMoreThanTheReadBudgetPerIteration() throws Exception {
        int budget = 4096;
        long each = 8L << 20;
        PerIteration reads = new PerIteration();
        StreamHandler counting = new StreamHandler() {
            @Override
            public void onData(Connection connection, ByteBuffer data) {
                reads.add(connection.id(), data.remaining()); // swallowed: no reply, so no backpressure
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (LoopbackReactor server = new LoopbackReactor("read-budget")) {
            reads.reactor = server.reactor();
            InetSocketAddress address = server.listen("read-budget", () -> counting,
                    Limits.DEFAULTS.withReadBudget(budget));
            List<Future<?>> hoses = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                long seed = i;
                hoses.add(pool.submit(() -> {
                    try (EchoPeer hose = EchoPeer.connect(address)) {
                        hose.stream(new Payload(seed), each, null);
                    }
                    return null;
                }));
            }
            for (Future<?> f : hoses) {
                f.get(60, TimeUnit.SECONDS);
            }
            Eventually.until(() -> call(server, () -> reads.total) == 2 * each, () -> "every byte read");
            assertThat(call(server, reads::max)).as("bytes read from one connection in one iteration")
                    .isPositive().isLessThanOrEqualTo(budget);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void noMoreThanTheAcceptBudgetIsAcceptedPerIteration() throws Exception {
        int budget = 4;
        int connections = 300;
        PerIteration accepts = new PerIteration();
        StreamHandler idle = (connection, data) -> { };
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<EchoPeer> peers = Collections.synchronizedList(new ArrayList<>());
        try (LoopbackReactor server = new LoopbackReactor("accept-budget")) {
            accepts.reactor = server.reactor();
            InetSocketAddress address = server.listen("accept-budget", () -> {
                accepts.add("listener", 1); // the protocol factory runs once per accept
                return idle;
            }, Limits.DEFAULTS.withAcceptBudget(budget));
            List<Future<?>> storms = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                storms.add(pool.submit(() -> {
                    for (int i = 0; i < connections / 3; i++) {
                        peers.add(EchoPeer.connect(address));
                    }
                    return null;
                }));
            }
            for (Future<?> f : storms) {
                f.get(60, TimeUnit.SECONDS);
            }
            Eventually.until(() -> call(server, () -> accepts.total) == connections, () -> "every connection accepted");
            assertThat(call(server, accepts::max)).as("accepts in one iteration").isPositive().isLessThanOrEqualTo(budget);
        } finally {
            pool.shutdownNow();
            for (EchoPeer p : peers) {
                p.close();
            }
        }
    }

    /** Runs {@code task} on the reactor thread and returns its result; usable in a condition, so it fails unchecked. */
    private static <T> T call(LoopbackReactor server, Callable<T> task) {
        try {
            return server.onReactor(task);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (Exception e) {
            throw new AssertionError("the reactor did not answer", e);
        }
    }
}
