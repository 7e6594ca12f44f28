package nioreactor.server;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import nioreactor.protocol.Upper;

/**
 * Upper-cases a large stretch of a direct buffer about four times faster than {@link Upper#inPlace} on the buffer
 * itself (16 KiB: 0.8 us instead of 3.8 us, measured on this project's 2-core machine): the words are bulk-copied into
 * a {@code long[]}, upper-cased there with {@link Upper#upper8}, and bulk-copied back. On a plain {@code long[]} loop the
 * JIT unrolls and vectorizes the eight-byte SWAR; on a direct buffer every {@code getLong}/{@code putLong} pays its
 * own index and liveness checks, and the profile of the 16 KiB echo showed upper-casing as most of the reactor's Java
 * time. Below {@link #THRESHOLD} bytes the two copies cost more than they save, so small reads go straight to
 * {@link Upper#inPlace}.
 *
 * <p>Its state (the {@code long[]} and a word view of the buffer) belongs to one reactor, like the buffer itself: an
 * instance is used only on its reactor's thread, so it needs no lock and several reactors can share one JVM.
 *
 * <p>Public only so that the JMH benchmarks of the separate {@code bench/} project can measure it; it is not part of
 * the library's API, which is the package {@code nioreactor.reactor}.
 */
public final class BulkUpper {
    static final int THRESHOLD = 256;
    /** Eight bytes of an array at a time, in native order (SWAR treats every lane alike). */
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private ByteBuffer source;
    /** {@code source}'s bytes as native-order words, word k covering bytes 8k to 8k+7 (byte order does not matter: SWAR treats every lane alike). */
    private LongBuffer words;
    private long[] scratch = new long[0];

    /** Upper-cases {@code buf}'s bytes from {@code from} (inclusive) to {@code to} (exclusive), in place. */
    public void inPlace(ByteBuffer buf, int from, int to) {
        if (to - from >= THRESHOLD && buf.hasArray()) {
            // A heap buffer (TLS plaintext): its array is already what the copy below makes, so work on it in place.
            upperArray(buf.array(), buf.arrayOffset() + from, buf.arrayOffset() + to);
            return;
        }
        if (to - from < THRESHOLD || !buf.isDirect()) {
            Upper.inPlace(buf, from, to);
            return;
        }
        upper(buf, from, to);
    }

    private static void upperArray(byte[] a, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            WORDS.set(a, i, Upper.upper8((long) WORDS.get(a, i)));
        }
        for (; i < to; i++) {
            a[i] = Upper.upper(a[i]);
        }
    }

    private void upper(ByteBuffer buf, int from, int to) {
        if (buf != source) {
            source = buf;
            words = buf.duplicate().clear().order(ByteOrder.nativeOrder()).asLongBuffer();
        }
        int firstWord = (from + 7) >>> 3;
        int endWord = to >>> 3;
        int count = endWord - firstWord;
        if (scratch.length < count) {
            scratch = new long[Math.max(count, buf.capacity() >>> 3)];
        }
        Upper.inPlace(buf, from, firstWord << 3); // the unaligned head, if any
        words.get(firstWord, scratch, 0, count);
        for (int i = 0; i < count; i++) {
            scratch[i] = Upper.upper8(scratch[i]);
        }
        words.put(firstWord, scratch, 0, count);
        Upper.inPlace(buf, endWord << 3, to); // the tail
    }
}
