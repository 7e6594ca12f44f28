package nioreactor.reactor;

import java.util.PriorityQueue;

/**
 * The reactor's timers, ordered by deadline (ties in scheduling order). Not thread-safe: the reactor thread owns it.
 *
 * <p>The loop asks it two things: how long {@code select} may block ({@link #nanosUntilNext}) and which timers are due
 * ({@link #pollDue}). A heap gives both in O(log n), so idle timeouts cost nothing until they are due, unlike a scan of
 * every connection on every loop.
 */
final class TimerQueue {
    private final PriorityQueue<Timer> heap = new PriorityQueue<>((a, b) -> {
        int byDeadline = Long.compare(a.deadlineNanos - b.deadlineNanos, 0);
        return byDeadline != 0 ? byDeadline : Long.compare(a.sequence, b.sequence);
    });
    private long sequence;

    Timer add(long deadlineNanos, String name, Runnable task) {
        Timer timer = new Timer(deadlineNanos, sequence++, name, task);
        heap.add(timer);
        return timer;
    }

    /** Nanoseconds until the earliest live timer (0 if one is due), or -1 when there is none. */
    long nanosUntilNext(long now) {
        Timer head = peekLive();
        return head == null ? -1 : Math.max(0, head.deadlineNanos - now);
    }

    /** Removes and returns the earliest live timer whose deadline has passed, or null. */
    Timer pollDue(long now) {
        Timer head = peekLive();
        if (head == null || head.deadlineNanos - now > 0) {
            return null;
        }
        return heap.poll();
    }

    int size() {
        return heap.size();
    }

    private Timer peekLive() {
        Timer head;
        while ((head = heap.peek()) != null && head.isCancelled()) {
            heap.poll();
        }
        return head;
    }
}
