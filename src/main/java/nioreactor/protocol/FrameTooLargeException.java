package nioreactor.protocol;

/** A frame header announced more payload than the configured maximum. */
public final class FrameTooLargeException extends Exception {
    private final long length;
    private final int maxFrame;

    public FrameTooLargeException(long length, int maxFrame) {
        super("frame length " + length + " exceeds the maximum of " + maxFrame + " bytes");
        this.length = length;
        this.maxFrame = maxFrame;
    }

    public long length() {
        return length;
    }

    public int maxFrame() {
        return maxFrame;
    }
}
