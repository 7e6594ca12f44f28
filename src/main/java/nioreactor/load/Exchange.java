package nioreactor.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of one request and of the reply it must get, for the TCP modes, laid out so the load generator can send
 * and check any stretch of a stream of back-to-back requests without copying: {@link #requests} holds the request
 * repeated and {@link #replies} the expected reply repeated, each long enough that a window of up to
 * {@code window} bytes starting anywhere inside the first request (or reply) is contiguous.
 *
 * <p>The payload mixes lower case, upper case, punctuation around 'a' and 'z' and non-ASCII bytes, so an echo that
 * upper-cases the wrong bytes, or none, is caught. The expected reply is computed here from the rule itself
 * (ASCII a-z to A-Z, every other byte unchanged), not with the server's own code.
 */
final class Exchange {
    private static final byte[] PATTERN = "Hello, nioreactor! `az{AZ@[ 0123456789 \u00e4\u4e2d pack your box with jugs."
            .getBytes(StandardCharsets.UTF_8);

    private final int length;
    private final ByteBuffer requests;
    private final ByteBuffer replies;

    Exchange(LoadMode mode, int size, int window) {
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = PATTERN[i % PATTERN.length];
        }
        byte[] request;
        if (mode == LoadMode.FRAMED) {
            request = ByteBuffer.allocate(4 + size).putInt(size).put(payload).array();
        } else {
            request = payload;
        }
        byte[] reply = request.clone();
        for (int i = mode == LoadMode.FRAMED ? 4 : 0; i < reply.length; i++) {
            reply[i] = upper(reply[i]);
        }
        this.length = request.length;
        this.requests = repeated(request, window);
        this.replies = repeated(reply, window);
    }

    static byte upper(byte b) {
        return b >= 'a' && b <= 'z' ? (byte) (b - ('a' - 'A')) : b;
    }

    private static ByteBuffer repeated(byte[] unit, int window) {
        ByteBuffer b = ByteBuffer.allocateDirect(unit.length + window);
        while (b.hasRemaining()) {
            b.put(unit, 0, Math.min(unit.length, b.remaining()));
        }
        return b.clear();
    }

    /** Bytes per request, which is also bytes per reply. */
    int length() {
        return length;
    }

    /** A view of the repeated requests with its own position and limit, for one thread. */
    ByteBuffer requests() {
        return requests.duplicate();
    }

    /** A view of the repeated expected replies with its own position and limit, for one thread. */
    ByteBuffer replies() {
        return replies.duplicate();
    }
}
