package nioreactor.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects what a {@link FrameDecoder} reports as whole frames, and fails at once if the calls break the Sink
 * contract (payload outside a frame, more payload than announced, an end before all of it).
 */
final class RecordingSink implements FrameDecoder.Sink {
    final List<byte[]> frames = new ArrayList<>();
    private ByteArrayOutputStream current;
    private int announced;

    @Override
    public void frameStart(int length) {
        if (current != null) {
            throw new AssertionError("frameStart(" + length + ") inside a frame");
        }
        if (length < 0) {
            throw new AssertionError("negative length " + length);
        }
        current = new ByteArrayOutputStream();
        announced = length;
    }

    @Override
    public void payload(ByteBuffer src, int length) {
        if (current == null) {
            throw new AssertionError("payload outside a frame");
        }
        if (length <= 0 || length > src.remaining() || current.size() + length > announced) {
            throw new AssertionError("payload of " + length + " bytes (" + src.remaining() + " available, "
                    + current.size() + " of " + announced + " already)");
        }
        byte[] piece = new byte[length];
        src.get(piece);
        current.writeBytes(piece);
    }

    @Override
    public void frameEnd() {
        if (current == null || current.size() != announced) {
            throw new AssertionError("frameEnd after " + (current == null ? "no frame" : current.size() + " of " + announced));
        }
        frames.add(current.toByteArray());
        current = null;
    }

    boolean insideFrame() {
        return current != null;
    }
}
