package nioreactor.kv;

import java.time.Duration;
import java.util.function.LongSupplier;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.Timer;

/**
 * Deletes expired keys that nobody asks for, on the reactor's timers, as Redis's {@code activeExpireCycle} does:
 * every {@link #INTERVAL} it samples {@link #SAMPLE} keys that have a time to live and deletes the expired ones, and
 * repeats while more than {@link #STALE_PERCENT}% of a sample had expired, for at most {@link #BUDGET} per run. When
 * the budget runs out first (a million keys expiring at once), the next run comes after {@link #CATCH_UP_DELAY}
 * instead, so the backlog goes at about half a core while every other connection keeps being served between runs:
 * no loop iteration spends more than about the budget here.
 */
final class ActiveExpiry {
    /** Redis's default {@code hz 10}. */
    static final Duration INTERVAL = Duration.ofMillis(100);
    /** The pause between runs while a backlog of expired keys remains. */
    static final Duration CATCH_UP_DELAY = Duration.ofMillis(1);
    /** The most one run may take; the loop is never stalled longer than this by expiry. */
    static final Duration BUDGET = Duration.ofMillis(1);
    /** Keys looked at per round (Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP). */
    static final int SAMPLE = 20;
    /** Above this share of expired keys in a sample, another round follows at once (Redis 6's rule). */
    static final int STALE_PERCENT = 25;
    /** Rounds between looks at the clock: a round costs microseconds, System.nanoTime tens of nanoseconds. */
    private static final int ROUNDS_PER_CLOCK_CHECK = 4;

    private final Reactor reactor;
    private final KeyValueStore store;
    private final LongSupplier clockMillis;
    private Timer timer;

    ActiveExpiry(Reactor reactor, KeyValueStore store, LongSupplier clockMillis) {
        this.reactor = reactor;
        this.store = store;
        this.clockMillis = clockMillis;
    }

    /** Arms the first run. Reactor thread. */
    void start() {
        timer = reactor.schedule(INTERVAL, "kv-active-expiry", this::run);
    }

    void stop() {
        if (timer != null) {
            timer.cancel();
        }
    }

    /** One run; returns true when it stopped for its budget with expired keys still to go. */
    boolean runOnce() {
        long deadline = System.nanoTime() + BUDGET.toNanos();
        long now = clockMillis.getAsLong();
        for (int round = 1; ; round++) {
            int expired = store.expireSample(SAMPLE, now);
            if (expired * 100 <= SAMPLE * STALE_PERCENT) {
                return false;
            }
            if (round % ROUNDS_PER_CLOCK_CHECK == 0 && System.nanoTime() >= deadline) {
                return true;
            }
        }
    }

    private void run() {
        boolean behind = runOnce();
        timer = reactor.schedule(behind ? CATCH_UP_DELAY : INTERVAL, "kv-active-expiry", this::run);
    }
}
