package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nioreactor.testing.RandomChunks;
import nioreactor.testing.Seed;
import org.junit.jupiter.api.Test;

class WriteQueueTest {
    private static final long HIGH = 100_000;
    private static final long LOW = 40_000;

    /** Records the listener's calls as "pending true", "writable false", ... */
    private final List<String> events = new ArrayList<>();
    private final WriteQueue.Listener listener = new WriteQueue.Listener() {
        @Override
        public void pendingChanged(boolean pending) {
            events.add("pending " + pending);
        }

        @Override
        public void writabilityChanged(boolean writable) {
            events.add("writable " + writable);
        }
    };
    private final ThrottledChannel channel = new ThrottledChannel();
    private final WriteQueue queue = new WriteQueue(HIGH, LOW, listener);

    private static ByteBuffer bytes(int n, int seed) {
        return ByteBuffer.wrap(RandomChunks.bytes(new Random(seed), n));
    }

    @Test
    void aSocketThatTakesEverythingCostsOneWriteAndNoQueueing() throws IOException {
        ByteBuffer src = bytes(5000, 1);
        assertThat(queue.write(channel, src)).isEqualTo(5000);
        assertThat(src.hasRemaining()).isFalse();
        assertThat(queue.isEmpty()).isTrue();
        assertThat(events).isEmpty();
        assertThat(channel.taken()).isEqualTo(bytes(5000, 1).array());
        assertThat(heldBuffers()).isNull();
    }

    @Test
    void whatTheSocketDoesNotTakeIsCopiedSoTheCallerMayReuseItsBuffer() throws IOException {
        channel.allowance = 10;
        ByteBuffer src = ByteBuffer.wrap("0123456789abcdefghij".getBytes());
        assertThat(queue.write(channel, src)).isEqualTo(10);
        assertThat(src.hasRemaining()).as("write consumes all of src").isFalse();
        src.clear().put(new byte[20]); // the reactor reuses its shared buffer at once
        assertThat(queue.pending()).isEqualTo(10);

        channel.allowance = Integer.MAX_VALUE;
        assertThat(queue.flush(channel)).isEqualTo(10);
        assertThat(new String(channel.taken())).isEqualTo("0123456789abcdefghij");
    }

    @Test
    void pendingIsReportedOnceWhenBytesFirstQueueAndOnceWhenDrained() throws IOException {
        channel.allowance = 0;
        for (int i = 0; i < 10; i++) {
            queue.write(channel, bytes(1000, i));
        }
        assertThat(events).containsExactly("pending true");
        assertThat(channel.writeCalls()).as("only the first write tries the socket; later ones queue behind it")
                .isEqualTo(1);

        channel.allowance = 3000;
        queue.flush(channel);
        queue.flush(channel);
        queue.flush(channel);
        assertThat(queue.pending()).isEqualTo(1000);
        assertThat(events).containsExactly("pending true");
        queue.flush(channel); // takes the last 1000: drained now
        assertThat(queue.isEmpty()).isTrue();
        assertThat(events).containsExactly("pending true", "pending false");

        queue.flush(channel); // a spurious OP_WRITE on an empty queue is not another edge
        assertThat(events).containsExactly("pending true", "pending false");

        channel.allowance = 1;
        queue.write(channel, bytes(2, 99));
        assertThat(events).containsExactly("pending true", "pending false", "pending true");
    }

    @Test
    void writabilityChangesOnlyWhenCrossingTheWaterMarks() throws IOException {
        channel.allowance = 0;
        queue.write(channel, bytes((int) HIGH, 1)); // exactly at the high mark: still writable
        assertThat(events).containsExactly("pending true");
        queue.write(channel, bytes(1, 2));
        assertThat(events).containsExactly("pending true", "writable false");
        assertThat(queue.isWritable()).isFalse();
        queue.write(channel, bytes(50_000, 3)); // further above: no new edge
        assertThat(events).containsExactly("pending true", "writable false");

        channel.allowance = (int) (queue.pending() - LOW - 1); // down to low + 1: still not writable
        queue.flush(channel);
        assertThat(queue.pending()).isEqualTo(LOW + 1);
        assertThat(events).containsExactly("pending true", "writable false");

        channel.allowance = 1; // down to exactly the low mark
        queue.flush(channel);
        assertThat(events).containsExactly("pending true", "writable false", "writable true");
        assertThat(queue.isWritable()).isTrue();

        channel.allowance = (int) (HIGH - LOW); // back up to exactly high, then past it again
        queue.write(channel, bytes((int) (HIGH - LOW), 4));
        assertThat(events).hasSize(3);
        queue.write(channel, bytes(1, 5));
        assertThat(events).containsExactly("pending true", "writable false", "writable true", "writable false");

        channel.allowance = Integer.MAX_VALUE;
        queue.flush(channel);
        assertThat(events).containsExactly("pending true", "writable false", "writable true", "writable false",
                "pending false", "writable true");
    }

    @Test
    void orderIsKeptAcrossManyWritesAndFlushesWithARandomlyThrottledSocket() throws IOException {
        Seed seed = Seed.orDefault(42);
        Random random = seed.random(0);
        ByteArrayOutputStream offered = new ByteArrayOutputStream();
        for (int step = 0; step < 5000; step++) {
            channel.allowance = random.nextInt(4) == 0 ? 0 : random.nextInt(20_000);
            if (random.nextBoolean()) {
                int n = random.nextInt(random.nextBoolean() ? 100 : 30_000);
                byte[] b = RandomChunks.bytes(random, n);
                offered.writeBytes(b);
                queue.write(channel, ByteBuffer.wrap(b));
            } else {
                queue.flush(channel);
            }
            assertThat(queue.pending()).as("%s, step %d", seed, step)
                    .isEqualTo(offered.size() - channel.takenCount());
            assertThat(queue.isWritable()).as("%s, step %d", seed, step)
                    .isEqualTo(lastWritability() == null || lastWritability());
        }
        channel.allowance = Integer.MAX_VALUE;
        queue.flush(channel);
        assertThat(channel.taken()).as("%s", seed).isEqualTo(offered.toByteArray());
        assertThat(queue.isEmpty()).isTrue();
        assertThat(heldBuffers()).as("an idle connection holds no buffers").isNull();

        // The edges alternate: pending true/false never repeats, nor does writable true/false.
        List<String> pending = events.stream().filter(e -> e.startsWith("pending")).toList();
        List<String> writable = events.stream().filter(e -> e.startsWith("writable")).toList();
        for (int i = 0; i < pending.size(); i++) {
            assertThat(pending.get(i)).as("%s, pending edge %d", seed, i).isEqualTo(i % 2 == 0 ? "pending true" : "pending false");
        }
        for (int i = 0; i < writable.size(); i++) {
            assertThat(writable.get(i)).as("%s, writable edge %d", seed, i).isEqualTo(i % 2 == 0 ? "writable false" : "writable true");
        }
        assertThat(pending).as("%s: it drained at the end", seed).last().isEqualTo("pending false");
        assertThat(writable).as("%s: the random walk crossed the marks", seed).isNotEmpty();
    }

    @Test
    void pendingBuffersGoOutInGatheringWritesOfAtMost64Buffers() throws IOException {
        channel.allowance = 0;
        ByteArrayOutputStream offered = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) { // each larger than the copy chunk, so each gets a buffer of its own
            ByteBuffer b = bytes(WriteQueue.MIN_CHUNK + 1, i);
            offered.writeBytes(b.array());
            queue.write(channel, b);
        }
        channel.buffersPerWrite.clear();
        channel.allowance = Integer.MAX_VALUE;
        queue.flush(channel);
        assertThat(channel.buffersPerWrite).containsExactly(64, 36);
        assertThat(channel.taken()).isEqualTo(offered.toByteArray());
    }

    @Test
    void smallLeftoversShareOneBuffer() throws IOException {
        channel.allowance = 0;
        for (int i = 0; i < 50; i++) {
            queue.write(channel, bytes(100, i));
        }
        channel.buffersPerWrite.clear();
        channel.allowance = Integer.MAX_VALUE;
        queue.flush(channel);
        assertThat(channel.buffersPerWrite).containsExactly(1);
    }

    @Test
    void aFlushThatTheSocketCannotFinishStopsInsteadOfSpinning() throws IOException {
        channel.allowance = 0;
        for (int i = 0; i < 200; i++) {
            queue.write(channel, bytes(WriteQueue.MIN_CHUNK + 1, i));
        }
        channel.buffersPerWrite.clear();
        channel.allowance = 5;
        assertThat(queue.flush(channel)).isEqualTo(5);
        assertThat(channel.writeCalls()).isEqualTo(1);
    }

    @Test
    void discardReturnsTheAbandonedCountAndLeavesAnEmptyQueue() throws IOException {
        channel.allowance = 100;
        queue.write(channel, bytes(30_000, 1));
        queue.write(channel, bytes(20_000, 2));
        assertThat(queue.discard()).isEqualTo(49_900);
        assertThat(queue.pending()).isZero();
        assertThat(queue.isEmpty()).isTrue();
        assertThat(heldBuffers()).isNull();
        assertThat(queue.discard()).isZero();
    }

    @Test
    void aQueueDiscardedWhileOverTheHighMarkIsWritableAgain() throws IOException {
        channel.allowance = 0;
        queue.write(channel, bytes(200_000, 3));
        assertThat(queue.isWritable()).isFalse();
        queue.discard();
        assertThat(queue.isWritable()).as("an empty queue, e.g. of a closed connection, is writable").isTrue();
    }

    @Test
    void ioErrorsReachTheCaller() {
        channel.failure = new IOException("Connection reset by peer");
        assertThatThrownBy(() -> queue.write(channel, bytes(10, 1))).hasMessage("Connection reset by peer");
    }

    @Test
    void ioErrorsDuringFlushReachTheCallerAndThePendingBytesStayCountable() throws IOException {
        channel.allowance = 0;
        queue.write(channel, bytes(1000, 1));
        channel.failure = new IOException("Broken pipe");
        assertThatThrownBy(() -> queue.flush(channel)).hasMessage("Broken pipe");
        assertThat(queue.discard()).as("the connection logs this loss when it closes").isEqualTo(1000);
    }

    @Test
    void waterMarksMustBeOrdered() {
        assertThatThrownBy(() -> new WriteQueue(10, 11, listener)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WriteQueue(10, -1, listener)).isInstanceOf(IllegalArgumentException.class);
    }

    private Boolean lastWritability() {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).startsWith("writable")) {
                return events.get(i).endsWith("true");
            }
        }
        return null;
    }

    /**
     * White-box, on purpose: "an empty queue holds no buffers" is a memory promise (bytes per idle connection) that no
     * public method can show.
     */
    private Object heldBuffers() {
        try {
            Field f = WriteQueue.class.getDeclaredField("buffers");
            f.setAccessible(true);
            return f.get(queue);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("WriteQueue.buffers was renamed; update this test", e);
        }
    }
}
