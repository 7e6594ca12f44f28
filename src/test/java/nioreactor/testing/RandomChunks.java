package nioreactor.testing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Moves bytes through a stream in random-sized pieces, as a real network cuts them, and checks what comes back byte by
 * byte. A mismatch names the first wrong offset, which is far more useful than "arrays differ".
 */
public final class RandomChunks {
    private RandomChunks() {
    }

    public static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Lengths of 1..maxChunk bytes that add up to {@code total}. */
    public static List<Integer> sizes(Random random, int total, int maxChunk) {
        List<Integer> sizes = new ArrayList<>();
        for (int done = 0; done < total; ) {
            int n = Math.min(total - done, 1 + random.nextInt(maxChunk));
            sizes.add(n);
            done += n;
        }
        return sizes;
    }

    /** Writes all of {@code data} in writes of 1..maxChunk bytes. */
    public static void write(OutputStream out, byte[] data, Random random, int maxChunk) throws IOException {
        int off = 0;
        for (int n : sizes(random, data.length, maxChunk)) {
            out.write(data, off, n);
            off += n;
        }
        out.flush();
    }

    /**
     * Reads exactly {@code expected.length} bytes in reads of 1..maxChunk bytes and checks each against
     * {@code expected}; {@code what} (e.g. the connection and the seed) goes into the failure message.
     */
    public static void readAndCheck(InputStream in, byte[] expected, Random random, int maxChunk, String what)
            throws IOException {
        byte[] buf = new byte[maxChunk];
        int off = 0;
        while (off < expected.length) {
            int want = Math.min(expected.length - off, 1 + random.nextInt(maxChunk));
            int n = in.read(buf, 0, want);
            if (n < 0) {
                throw new EOFException(what + ": stream ended after " + off + " of " + expected.length + " bytes");
            }
            int bad = Arrays.mismatch(buf, 0, n, expected, off, off + n);
            if (bad >= 0) {
                throw new AssertionError(String.format("%s: byte %d of %d is 0x%02x, expected 0x%02x", what,
                        off + bad, expected.length, buf[bad] & 0xFF, expected[off + bad] & 0xFF));
            }
            off += n;
        }
    }
}
