package nioreactor.reactor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A socket stand-in whose "kernel send buffer" takes at most {@link #allowance} bytes per write call (0: full, like
 * a non-blocking socket whose peer does not read), or fails every write. It keeps every byte it took, in order, and
 * how many buffers each gathering write was offered, so a test can check order and the use of gathering writes.
 */
final class ThrottledChannel implements GatheringByteChannel {
    /** Bytes accepted by the next write call; Integer.MAX_VALUE for "everything". */
    int allowance = Integer.MAX_VALUE;
    /** When set, every write throws it (a reset peer). */
    IOException failure;
    /** For each write call: the number of buffers offered (1 for a plain write). */
    final List<Integer> buffersPerWrite = new ArrayList<>();
    private final ByteArrayOutputStream taken = new ByteArrayOutputStream();
    private boolean open = true;

    byte[] taken() {
        return taken.toByteArray();
    }

    /** How many bytes it took so far, without copying them. */
    long takenCount() {
        return taken.size();
    }

    int writeCalls() {
        return buffersPerWrite.size();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) take(new ByteBuffer[] {src}, 0, 1);
    }

    /** The queue's flush: it must only gather when it really holds bytes. */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long offered = 0;
        for (int i = offset; i < offset + length; i++) {
            offered += srcs[i].remaining();
        }
        if (offered == 0) {
            // A queue that believes it has pending bytes but holds none would call this forever (and the test would
            // die of memory instead of failing): say so at once.
            throw new AssertionError("gathering write with nothing to write (" + length + " empty buffers)");
        }
        return take(srcs, offset, length);
    }

    private long take(ByteBuffer[] srcs, int offset, int length) throws IOException {
        buffersPerWrite.add(length);
        if (failure != null) {
            throw failure;
        }
        long budget = allowance;
        long done = 0;
        for (int i = offset; i < offset + length && budget > 0; i++) {
            ByteBuffer b = srcs[i];
            int n = (int) Math.min(b.remaining(), budget);
            byte[] bytes = new byte[n];
            b.get(bytes);
            taken.writeBytes(bytes);
            budget -= n;
            done += n;
        }
        return done;
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }
}
