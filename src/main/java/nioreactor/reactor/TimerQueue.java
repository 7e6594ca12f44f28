package nioreactor.reactor;

import java.util.Arrays;

/**
 * The reactor's timers, ordered by deadline (ties in scheduling order). Not thread-safe: the reactor thread owns it.
 *
 * <p>The loop asks it two things: how long {@code select} may block ({@link #nanosUntilNext}) and which timers are due
 * ({@link #pollDue}). A binary heap gives both in O(log n), so idle timeouts cost nothing until they are due, unlike a
 * scan of every connection on every loop. Each timer knows its slot in the heap, so a cancel removes it at once
 * (Netty's {@code DefaultPriorityQueue} does the same): cancels are far more common than firings here, and lazily
 * dropped cancelled timers would wait in the heap for their whole delay.
 */
final class TimerQueue {
    private Timer[] heap = new Timer[64];
    private int size;
    private long sequence;

    Timer add(long deadlineNanos, String name, Runnable task) {
        Timer timer = new Timer(this, deadlineNanos, sequence++, name, task);
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        timer.index = size;
        heap[size++] = timer;
        siftUp(timer.index);
        return timer;
    }

    /** Nanoseconds until the earliest timer (0 if one is due), or -1 when there is none. */
    long nanosUntilNext(long now) {
        return size == 0 ? -1 : Math.max(0, heap[0].deadlineNanos - now);
    }

    /** Removes and returns the earliest timer whose deadline has passed, or null. */
    Timer pollDue(long now) {
        if (size == 0 || heap[0].deadlineNanos - now > 0) {
            return null;
        }
        Timer due = heap[0];
        remove(due);
        return due;
    }

    int size() {
        return size;
    }

    void remove(Timer timer) {
        int i = timer.index;
        assert i >= 0 && heap[i] == timer;
        timer.index = -1;
        Timer last = heap[--size];
        heap[size] = null;
        if (last != timer) {
            heap[i] = last;
            last.index = i;
            siftDown(i);
            siftUp(last.index);
        }
    }

    private static boolean before(Timer a, Timer b) {
        long byDeadline = a.deadlineNanos - b.deadlineNanos; // wrap-around safe, like System.nanoTime comparisons
        return byDeadline != 0 ? byDeadline < 0 : a.sequence < b.sequence;
    }

    private void siftUp(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (!before(t, p)) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = t;
        t.index = i;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], t)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].index = i;
            i = child;
        }
        heap[i] = t;
        t.index = i;
    }
}
