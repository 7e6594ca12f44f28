package nioreactor.protocol;

import java.nio.ByteBuffer;

/**
 * The length-framed protocol that cures TCP's sticky packets (粘包): each message is a 4-byte big-endian unsigned
 * length N followed by N payload bytes, so the receiver always knows where a message ends, however the stream was
 * cut into reads.
 *
 * <p>This decoder streams: it never buffers a payload. It reports each frame as a header, then payload pieces as they
 * arrive, then its end. A server that answers each frame with a frame of the same length (the upper-echo) can
 * forward the pieces at once, so even a 1 MiB frame costs no memory per connection, and a connection between reads
 * holds only the few integers below. Pure: no I/O. Not thread-safe (one per connection).
 */
public final class FrameDecoder {

    /** Receives the decoded stream, in order. */
    public interface Sink {
        /** A header is complete: a frame of {@code length} payload bytes follows (possibly 0). */
        void frameStart(int length);

        /** Exactly {@code length} payload bytes at {@code src}'s position; the sink must consume all of them. */
        void payload(ByteBuffer src, int length);

        /** The frame's last payload byte was delivered. */
        void frameEnd();
    }

    public static final int HEADER_BYTES = 4;

    private final int maxFrame;
    /** Header bytes collected so far (0-4) and their value: a header may be split across reads. */
    private int headerBytes;
    private long header;
    /** Payload bytes still to come for the current frame; -1 while reading a header. */
    private int remaining = -1;
    private int frameLength;

    public FrameDecoder(int maxFrame) {
        if (maxFrame < 0) {
            throw new IllegalArgumentException("max frame must be >= 0");
        }
        this.maxFrame = maxFrame;
    }

    /**
     * Consumes all of {@code src}, reporting frames to {@code sink}. On a header over the maximum it throws; the
     * frames before it were fully reported, and the decoder must not be used again.
     */
    public void decode(ByteBuffer src, Sink sink) throws FrameTooLargeException {
        while (src.hasRemaining()) {
            if (remaining < 0) {
                if (headerBytes == 0 && src.remaining() >= HEADER_BYTES) {
                    header = src.getInt() & 0xFFFF_FFFFL; // the common case: the whole header in this read
                    headerBytes = HEADER_BYTES;
                } else {
                    while (headerBytes < HEADER_BYTES && src.hasRemaining()) {
                        header = header << 8 | (src.get() & 0xFF);
                        headerBytes++;
                    }
                    if (headerBytes < HEADER_BYTES) {
                        return; // the rest of the header comes with the next read
                    }
                }
                if (header > maxFrame) {
                    throw new FrameTooLargeException(header, maxFrame);
                }
                frameLength = (int) header;
                remaining = frameLength;
                headerBytes = 0;
                header = 0;
                sink.frameStart(frameLength);
            }
            int n = Math.min(remaining, src.remaining());
            if (n > 0) {
                sink.payload(src, n);
                remaining -= n;
            }
            if (remaining == 0) {
                remaining = -1;
                sink.frameEnd();
            }
        }
    }

    /** True between the first byte of a frame and its last: a close now would cut a frame. */
    public boolean midFrame() {
        return headerBytes > 0 || remaining >= 0;
    }

    /** For log lines: where in the current frame the stream stopped. */
    public String describePartial() {
        if (remaining >= 0) {
            return "partial frame (" + (frameLength - remaining) + " of " + frameLength + " payload bytes)";
        }
        return headerBytes > 0 ? "partial frame header (" + headerBytes + " of 4 bytes)" : null;
    }

    public int maxFrame() {
        return maxFrame;
    }
}
