package nioreactor.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The framed protocol from a client's side (4-byte big-endian unsigned length, then the payload), written
 * independently of the server's decoder so tests do not check the code with itself.
 */
public final class Frames {
    private Frames() {
    }

    /** One frame's bytes: header and payload. */
    public static byte[] encode(byte[] payload) {
        return encode(List.of(payload));
    }

    /** Frames back to back, as a pipelining client sends them. */
    public static byte[] encode(List<byte[]> payloads) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : payloads) {
            out.writeBytes(header(p.length));
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A header announcing {@code length} bytes, unsigned: lengths up to 2^32 - 1 can be written. */
    public static byte[] header(long length) {
        return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    /** The server's answer to {@link #encode(List)}: same headers, upper-cased payloads. */
    public static byte[] expectedReply(List<byte[]> payloads) {
        List<byte[]> upper = new ArrayList<>(payloads.size());
        for (byte[] p : payloads) {
            upper.add(PythonUpper.of(p));
        }
        return encode(upper);
    }

    /** Reads one frame's payload; EOFException when the stream ends first. */
    public static byte[] read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        long length = data.readInt() & 0xFFFF_FFFFL;
        if (length > Integer.MAX_VALUE - 8) {
            throw new EOFException("frame length " + length + " is larger than a test can hold");
        }
        byte[] payload = new byte[(int) length];
        data.readFully(payload);
        return payload;
    }

    /** Random payloads of 0..maxSize bytes (both ends included, so empty frames occur) adding up to at least total. */
    public static List<byte[]> randomPayloads(Random random, long total, int maxSize) {
        List<byte[]> frames = new ArrayList<>();
        long sum = 0;
        while (sum < total) {
            byte[] p = RandomChunks.bytes(random, random.nextInt(maxSize + 1));
            frames.add(p);
            sum += p.length;
        }
        return frames;
    }
}
