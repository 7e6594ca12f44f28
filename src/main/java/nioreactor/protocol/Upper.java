package nioreactor.protocol;

import java.nio.ByteBuffer;

/**
 * Python's {@code bytes.upper()}: ASCII {@code a}-{@code z} become {@code A}-{@code Z}, every other byte (including
 * every byte of a multi-byte UTF-8 character) stays as it is. Because each byte is transformed on its own, the result
 * does not depend on how the stream was chunked, which is what lets the server answer each read as it arrives.
 *
 * <p>Eight bytes at a time (SWAR): the per-byte test "is this between 'a' and 'z'" is done on all eight lanes of a
 * {@code long} with two additions and a mask, so there is no branch per byte.
 */
public final class Upper {
    private static final long LOW7 = 0x7F7F_7F7F_7F7F_7F7FL;
    private static final long HIGH = 0x8080_8080_8080_8080L;
    private static final long ONES = 0x0101_0101_0101_0101L;
    /** Added to a 7-bit lane, sets the lane's high bit iff the lane is >= 'a' (no carry out: 0x7F + 0x1F < 0x100). */
    private static final long GE_A = (0x80 - 'a') * ONES;
    /** Likewise iff the lane is > 'z'. */
    private static final long GT_Z = (0x80 - 'z' - 1) * ONES;

    private Upper() {
    }

    /** One byte. */
    public static byte upper(byte b) {
        return b >= 'a' && b <= 'z' ? (byte) (b - 32) : b;
    }

    /** Eight bytes in one long, byte order irrelevant (every lane is treated alike). */
    public static long upper8(long word) {
        long lanes = word & LOW7;
        long lowercase = (lanes + GE_A) & ~(lanes + GT_Z) & ~word & HIGH; // high bit set in lanes holding a-z
        return word ^ (lowercase >>> 2); // 0x80 >>> 2 == 0x20: the bit that separates 'a' from 'A'
    }

    /** Upper-cases {@code buf}'s bytes from index {@code from} (inclusive) to {@code to} (exclusive), in place. */
    public static void inPlace(ByteBuffer buf, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            buf.putLong(i, upper8(buf.getLong(i)));
        }
        for (; i < to; i++) {
            buf.put(i, upper(buf.get(i)));
        }
    }

    /** Copies {@code length} bytes from {@code src} to {@code dst}, upper-cased; both positions advance. */
    public static void copy(ByteBuffer src, int length, ByteBuffer dst) {
        int s = src.position();
        int d = dst.position();
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            dst.putLong(d + i, upper8(src.getLong(s + i)));
        }
        for (; i < length; i++) {
            dst.put(d + i, upper(src.get(s + i)));
        }
        src.position(s + length);
        dst.position(d + length);
    }

    /** A new upper-cased array; for the clients and tests, not the hot path. */
    public static byte[] of(byte[] bytes) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = upper(out[i]);
        }
        return out;
    }
}
