package nioreactor.reactor;

/**
 * A one-shot task that the reactor runs at or after a deadline, on its own thread.
 *
 * <p>Cancelling only marks the timer; the queue drops it lazily when it reaches the head. That keeps cancel O(1), which
 * matters because idle timers are cancelled far more often than they fire.
 */
public final class Timer {
    final long deadlineNanos;
    final long sequence;
    /** Dropped on cancel, so a cancelled timer waiting in the heap does not keep its connection reachable. */
    Runnable task;
    final String name;
    private boolean cancelled;

    Timer(long deadlineNanos, long sequence, String name, Runnable task) {
        this.deadlineNanos = deadlineNanos;
        this.sequence = sequence;
        this.name = name;
        this.task = task;
    }

    /** Reactor thread only. Cancelling a timer that already ran does nothing. */
    public void cancel() {
        cancelled = true;
        task = null;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    public long deadlineNanos() {
        return deadlineNanos;
    }
}
