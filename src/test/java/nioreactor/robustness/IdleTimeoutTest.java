package nioreactor.robustness;

import nioreactor.reactor.Limits;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import nioreactor.reactor.CloseReason;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --idle-timeout}: a silent connection is closed by its timer; a busy one never is. */
@Timeout(60)
class IdleTimeoutTest {
    private static final Duration IDLE = Duration.ofSeconds(1);
    /** The active client's pace: a tenth of the timeout, so even a badly delayed thread stays well inside it. */
    private static final long PACE_MILLIS = 100;

    @Test
    void anIdleConnectionIsClosedAndAnActiveOneIsNot() throws Exception {
        Server server = Server.start(ServerConfig.builder().ephemeralPorts().framedPort(-1).udpPort(-1)
                .limits(Limits.DEFAULTS.withIdleTimeout(IDLE)).build());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger exchanges = new AtomicInteger();
        long start = System.nanoTime(); // before the connection exists, so its timer cannot have started earlier
        try (EchoPeer idle = EchoPeer.connect(server.tcpAddress()); EchoPeer busy = EchoPeer.connect(server.tcpAddress())) {
            Future<?> active = pool.submit(() -> {
                while (!stop.get()) {
                    busy.send("x".getBytes());
                    assertThat(busy.read(1)).containsExactly('X');
                    exchanges.incrementAndGet();
                    Thread.sleep(PACE_MILLIS); // the client's pace, not a synchronisation
                }
                return null;
            });

            assertThat(idle.socket().getInputStream().read()).as("the idle connection is closed: EOF").isEqualTo(-1);
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(waitedMillis).as("not closed before the timeout").isGreaterThanOrEqualTo(IDLE.toMillis());

            // The busy one outlives several timeouts.
            int seen = exchanges.get();
            Eventually.until(() -> exchanges.get() >= seen + 3 * IDLE.toMillis() / PACE_MILLIS,
                    () -> "three more timeouts' worth of exchanges; " + exchanges.get());
            stop.set(true);
            active.get(30, TimeUnit.SECONDS);
            assertThat(server.stats().closed(CloseReason.IDLE)).isEqualTo(1);
            assertThat(server.stats().connectionsActive()).isEqualTo(1);
        } finally {
            stop.set(true);
            pool.shutdownNow();
            server.close();
        }
    }
}
