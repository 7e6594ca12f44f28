package nioreactor.reactor;

/**
 * How the loop waits when it has nothing to do: the trade between CPU and latency, chosen per reactor with
 * {@link Reactor.Builder#selectStrategy}.
 *
 * <p>What a request pays at low connection counts is the wake-up: the reactor blocks in {@code epoll_wait}, the next
 * request arrives, and the kernel must wake and reschedule the thread, microseconds that no Java code can save.
 * Polling without blocking removes that cost, and burns a core to do it. Aeron's idle strategies and the LMAX style
 * make the same trade.
 */
public enum SelectStrategy {
    /** Block in {@code select} until a channel is ready, a task arrives or a timer is due: no CPU while idle. */
    BLOCK,
    /**
     * Never block: call {@code selectNow} in a loop. The lowest latency, and one core at 100% even when idle; only
     * for a dedicated, pinned core.
     */
    SPIN,
    /**
     * Spin with {@code selectNow} for a while after the last piece of work ({@link Reactor.Builder#spinFor}), then
     * yield the thread for as long again, then block as {@link #BLOCK} does (Aeron's {@code BackoffIdleStrategy}
     * idea). Burns the core only while traffic flows; idle, it costs nothing.
     */
    BACKOFF
}
