package nioreactor.reactor;

/**
 * A one-shot task that a {@link Reactor} runs on its own thread at or after a deadline; made by
 * {@link Reactor#schedule}.
 *
 * <p>Reactor thread only, like the queue it sits in. {@link #cancel()} takes the timer out of the queue at once
 * (O(log n)), so a timer armed and cancelled on every pending-write episode never piles up, and a cancelled timer
 * never keeps its connection reachable.
 */
public final class Timer {
    final long deadlineNanos;
    final long sequence;
    final String name;
    Runnable task;
    /** Where this timer sits in its queue's heap; -1 once it has fired or been cancelled. */
    int index = -1;
    private final TimerQueue queue;

    Timer(TimerQueue queue, long deadlineNanos, long sequence, String name, Runnable task) {
        this.queue = queue;
        this.deadlineNanos = deadlineNanos;
        this.sequence = sequence;
        this.name = name;
        this.task = task;
    }

    /** Stops the timer from firing. Reactor thread only; cancelling a timer that already ran does nothing. */
    public void cancel() {
        if (index >= 0) {
            queue.remove(this);
        }
        task = null;
    }

    /** {@return true until the timer has fired or been cancelled} */
    public boolean isPending() {
        return index >= 0;
    }

    /** {@return the timer's name, as shown by {@code --trace} ("idle #3")} */
    public String name() {
        return name;
    }
}
