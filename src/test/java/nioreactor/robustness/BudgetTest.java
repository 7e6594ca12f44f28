package nioreactor.robustness;

import nioreactor.reactor.Limits;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import nioreactor.reactor.Connection;
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

    /** Counts per (loop iteration, connection); reactor-thread state, read through {@link BareReactor#call}. */
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
        try (BareReactor server = BareReactor.start("read-budget",
                Limits.DEFAULTS.withReadBudget(budget), () -> counting)) {
            reads.reactor = server.reactor();
            List<Future<?>> hoses = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                long seed = i;
                hoses.add(pool.submit(() -> {
                    try (TcpPeer hose = TcpPeer.connect(server.address())) {
                        hose.stream(new Payload(seed), each, null);
                    }
                    return null;
                }));
            }
            for (Future<?> f : hoses) {
                f.get(60, TimeUnit.SECONDS);
            }
            Eventually.until(() -> server.call(() -> reads.total) == 2 * each, () -> "every byte read");
            assertThat(server.call(reads::max)).as("bytes read from one connection in one iteration")
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
        List<TcpPeer> peers = Collections.synchronizedList(new ArrayList<>());
        try (BareReactor server = BareReactor.start("accept-budget",
                Limits.DEFAULTS.withAcceptBudget(budget), () -> {
                    accepts.add("listener", 1); // the protocol factory runs once per accept
                    return idle;
                })) {
            accepts.reactor = server.reactor();
            List<Future<?>> storms = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                storms.add(pool.submit(() -> {
                    for (int i = 0; i < connections / 3; i++) {
                        peers.add(TcpPeer.connect(server.address()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : storms) {
                f.get(60, TimeUnit.SECONDS);
            }
            Eventually.until(() -> server.call(() -> accepts.total) == connections, () -> "every connection accepted");
            assertThat(server.call(accepts::max)).as("accepts in one iteration").isPositive().isLessThanOrEqualTo(budget);
        } finally {
            pool.shutdownNow();
            for (TcpPeer p : peers) {
                p.close();
            }
        }
    }
}
