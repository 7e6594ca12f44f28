package nioreactor.robustness;

import java.nio.charset.StandardCharsets;
import nioreactor.protocol.Upper;

/**
 * A reproducible byte stream of any length that both a sending and a verifying thread can regenerate on the fly, so
 * hundreds of megabytes are checked without keeping them. Mostly lower-case letters (so the upper-casing is
 * visible) with some digits, punctuation and high bytes (which must pass unchanged). A pseudo-random sequence,
 * not a short period, so a lost, repeated or reordered chunk cannot line up by accident.
 */
final class Payload {
    private static final byte[] ALPHABET =
            "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz0123456789 .,;%\n\u00e9".getBytes(
                    StandardCharsets.ISO_8859_1);

    private long state;
    private long offset;

    Payload(long seed) {
        this.state = seed * 0x9E3779B97F4A7C15L + 1;
    }

    /** Fills {@code dst[from, from+length)} with the next bytes of the stream. */
    void next(byte[] dst, int from, int length) {
        for (int i = from; i < from + length; i++) {
            dst[i] = nextByte();
        }
    }

    byte nextByte() {
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
        offset++;
        return ALPHABET[(int) ((state >>> 33) % ALPHABET.length)];
    }

    /** Bytes produced so far. */
    long offset() {
        return offset;
    }

    /**
     * Checks that {@code got[from, from+length)} is the upper-cased next part of the stream; returns -1 if it is,
     * else the stream offset of the first wrong byte.
     */
    long verifyUpper(byte[] got, int from, int length) {
        for (int i = from; i < from + length; i++) {
            long at = offset;
            if (got[i] != Upper.upper(nextByte())) {
                return at;
            }
        }
        return -1;
    }
}
