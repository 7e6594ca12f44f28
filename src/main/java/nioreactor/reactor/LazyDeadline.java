package nioreactor.reactor;

import java.time.Duration;

/**
 * A timeout that is pushed back by progress without touching the timer heap: progress only stores a timestamp, and the
 * timer, when it fires, either finds the deadline really passed (and runs {@code expired}) or moves itself to the new
 * deadline. One timer per connection and no per-loop scan of all connections; used for the idle timeout and the
 * write-stall timeout. Reactor thread only.
 */
final class LazyDeadline {
    private final Reactor reactor;
    private final String name;
    private final long timeoutNanos;
    private final Runnable expired;
    private long lastProgressNanos;
    private Timer timer;

    LazyDeadline(Reactor reactor, String name, Duration timeout, Runnable expired) {
        this.reactor = reactor;
        this.name = name;
        this.timeoutNanos = timeout.toNanos();
        this.expired = expired;
    }

    /** Arms it, counting from now; does nothing if it is already armed. */
    void start(long nowNanos) {
        if (timer == null) {
            lastProgressNanos = nowNanos;
            timer = reactor.scheduleAt(nowNanos + timeoutNanos, name, this::check);
        }
    }

    void progress(long nowNanos) {
        lastProgressNanos = nowNanos;
    }

    boolean isArmed() {
        return timer != null;
    }

    /** How long since the last progress. */
    long quietNanos(long nowNanos) {
        return nowNanos - lastProgressNanos;
    }

    void stop() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void check() {
        long now = System.nanoTime();
        if (now - lastProgressNanos >= timeoutNanos) {
            timer = null;
            expired.run();
        } else {
            timer = reactor.scheduleAt(lastProgressNanos + timeoutNanos, name, this::check);
        }
    }
}
