package nioreactor.kv;

/**
 * Redis's integer rules ({@code string2ll}): an optional minus sign and decimal digits, no plus sign, no spaces, no
 * leading zeros and no {@code -0}, at most 20 characters, within a signed 64-bit range. Requests, stored values for
 * INCR and option arguments all go through these, so "007" or " 7" are refused as Redis refuses them.
 */
final class Numbers {
    /** Longest decimal a signed 64-bit integer needs: {@code -9223372036854775808}. */
    static final int MAX_DIGITS = 20;

    private Numbers() {
    }

    /** The integer in {@code buf[off, off+len)}, or {@code invalid} when it is not one by Redis's rules. */
    static long parseLong(byte[] buf, int off, int len, long invalid) {
        if (len <= 0 || len > MAX_DIGITS) {
            return invalid;
        }
        if (len == 1 && buf[off] == '0') {
            return 0;
        }
        int i = off;
        int end = off + len;
        boolean negative = buf[i] == '-';
        if (negative && ++i == end) {
            return invalid;
        }
        if (buf[i] < '1' || buf[i] > '9') {
            return invalid;
        }
        // Accumulate negatively: the negative range is one larger, so Long.MIN_VALUE parses without overflow.
        long v = 0;
        for (; i < end; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                return invalid;
            }
            if (v < Long.MIN_VALUE / 10) {
                return invalid;
            }
            v *= 10;
            if (v < Long.MIN_VALUE + d) {
                return invalid;
            }
            v -= d;
        }
        if (negative) {
            return v;
        }
        return v == Long.MIN_VALUE ? invalid : -v;
    }

    /** True when {@link #parseLong} accepts {@code buf[off, off+len)}; to tell a stored Long.MIN_VALUE from junk. */
    static boolean isLong(byte[] buf, int off, int len) {
        return parseLong(buf, off, len, 0) != 0 || parseLong(buf, off, len, 1) != 1;
    }

    /** Characters {@code v} takes in decimal. */
    static int decimalLength(long v) {
        if (v == Long.MIN_VALUE) {
            return MAX_DIGITS;
        }
        int n = v < 0 ? 2 : 1;
        long u = Math.abs(v);
        while (u >= 10) {
            u /= 10;
            n++;
        }
        return n;
    }

    /** Writes {@code v} in decimal at {@code buf[off]}; returns the offset after it. */
    static int writeDecimal(byte[] buf, int off, long v) {
        int n = decimalLength(v);
        int end = off + n;
        int i = end;
        if (v < 0) {
            buf[off] = '-';
            // Work negatively so that Long.MIN_VALUE needs no special case.
            do {
                buf[--i] = (byte) ('0' - (v % 10));
                v /= 10;
            } while (v != 0);
        } else {
            do {
                buf[--i] = (byte) ('0' + (v % 10));
                v /= 10;
            } while (v != 0);
        }
        return end;
    }
}
