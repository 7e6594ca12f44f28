package nioreactor.reactor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.Arrays;

/**
 * A connection's pending output, with the semantics of Python's {@code sendall}: every byte handed to
 * {@link #write} is written, in order, or the connection is closed on an error and the loss reported.
 *
 * <p>A plain {@code write} on a non-blocking socket is Python's {@code send}: it takes what fits in the kernel's send
 * buffer and returns. This class tries exactly that first (the common case costs one syscall and no copy), then
 * copies only what was left, once, into buffers of its own, and writes those later with gathering writes when the
 * selector says the socket is writable again.
 *
 * <p>It tells its {@link Listener} about two edges, the way Netty's {@code ChannelOutboundBuffer} does:
 * <ul>
 *   <li>pending or not: the connection wants {@code OP_WRITE} only while bytes are pending. Leaving it on with an
 *       empty queue would make every select return at once (a writable socket is almost always writable): a spin.</li>
 *   <li>writable or not: above the high water mark the connection stops reading, so a client that sends without
 *       reading cannot grow our memory; below the low water mark it reads again. The gap between the marks keeps it
 *       from flapping on every write.</li>
 * </ul>
 *
 * <p>An empty queue holds no buffers at all, so an idle connection costs only this object's fields. Not thread-safe:
 * one reactor thread owns it.
 */
final class WriteQueue {

    /** Told about the two edges; see the class comment. */
    interface Listener {
        /** Bytes are now pending (turn OP_WRITE on), or the queue just drained (turn it off). */
        void pendingChanged(boolean pending);

        /** Pending output crossed the high water mark (false: stop reading) or fell below the low one (true). */
        void writabilityChanged(boolean writable);
    }

    /** Smallest buffer allocated for leftovers, so many small replies to a slow reader share a few buffers. */
    static final int MIN_CHUNK = 8 * 1024;
    /** Most buffers handed to one gathering write; the kernel's IOV_MAX is 1024. */
    private static final int MAX_GATHER = 64;

    private final long highWater;
    private final long lowWater;
    private final Listener listener;

    /** Buffers in read mode, oldest first, between head and tail; null whenever the queue is empty. */
    private ByteBuffer[] buffers;
    private int head;
    private int tail;
    private long pending;
    private boolean writable = true;

    public WriteQueue(long highWater, long lowWater, Listener listener) {
        if (lowWater > highWater || lowWater < 0) {
            throw new IllegalArgumentException("need 0 <= low water (" + lowWater + ") <= high water (" + highWater + ")");
        }
        this.highWater = highWater;
        this.lowWater = lowWater;
        this.listener = listener;
    }

    /**
     * sendall: writes what the channel takes now and queues the rest of {@code src} (copied, so the caller may reuse
     * {@code src} at once). Bytes already pending go first, so order is kept. Returns the bytes written to the
     * channel by this call.
     */
    public long write(GatheringByteChannel channel, ByteBuffer src) throws IOException {
        long written = 0;
        if (pending == 0) {
            written = channel.write(src);
            if (!src.hasRemaining()) {
                return written;
            }
        }
        enqueue(src);
        return written;
    }

    /**
     * Writes pending bytes with gathering writes until the channel takes no more or the queue is empty. Returns the
     * bytes written; {@link #isEmpty()} tells whether it drained.
     */
    public long flush(GatheringByteChannel channel) throws IOException {
        long written = 0;
        while (pending > 0) {
            int count = Math.min(tail - head, MAX_GATHER);
            long offered = 0;
            for (int i = head; i < head + count; i++) {
                offered += buffers[i].remaining();
            }
            long n = channel.write(buffers, head, count);
            written += n;
            pending -= n;
            while (head < tail && !buffers[head].hasRemaining()) {
                buffers[head++] = null;
            }
            if (n < offered) {
                break; // the kernel's buffer is full: wait for OP_WRITE instead of spinning on write
            }
        }
        if (pending == 0 && buffers != null) { // buffers != null: it just drained (an edge), not a flush of nothing
            buffers = null; // an idle connection holds no buffers
            head = tail = 0;
            listener.pendingChanged(false);
        }
        if (!writable && pending <= lowWater) {
            writable = true;
            listener.writabilityChanged(true);
        }
        return written;
    }

    public long pending() {
        return pending;
    }

    public boolean isEmpty() {
        return pending == 0;
    }

    public boolean isWritable() {
        return writable;
    }

    /** Forgets everything pending (the connection is closing); returns how many bytes were abandoned. */
    public long discard() {
        long lost = pending;
        buffers = null;
        head = tail = 0;
        pending = 0;
        writable = true; // an empty queue is writable, whatever it held before
        return lost;
    }

    private void enqueue(ByteBuffer src) {
        int n = src.remaining();
        boolean wasEmpty = pending == 0;
        ByteBuffer last = tail > head ? buffers[tail - 1] : null;
        if (last != null && last.capacity() - last.limit() >= n) {
            // Append in place behind the bytes still to be written: no new buffer for a run of small replies.
            int readPos = last.position();
            last.position(last.limit()).limit(last.limit() + n);
            last.put(src);
            last.position(readPos);
        } else {
            ByteBuffer copy = ByteBuffer.allocate(Math.max(n, MIN_CHUNK));
            copy.put(src).flip();
            append(copy);
        }
        pending += n;
        if (wasEmpty) {
            listener.pendingChanged(true);
        }
        if (writable && pending > highWater) {
            writable = false;
            listener.writabilityChanged(false);
        }
    }

    private void append(ByteBuffer buffer) {
        if (buffers == null) {
            buffers = new ByteBuffer[8];
        } else if (tail == buffers.length) {
            int live = tail - head;
            if (head > 0 && live < buffers.length / 2) {
                System.arraycopy(buffers, head, buffers, 0, live); // slide down instead of growing
                Arrays.fill(buffers, live, tail, null);
            } else {
                ByteBuffer[] bigger = new ByteBuffer[buffers.length * 2];
                System.arraycopy(buffers, head, bigger, 0, live);
                buffers = bigger;
            }
            head = 0;
            tail = live;
        }
        buffers[tail++] = buffer;
    }
}
