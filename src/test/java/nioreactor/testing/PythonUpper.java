package nioreactor.testing;

/**
 * The oracle for the upper-echo: Python's {@code bytes.upper()}, written the plainest possible way and independent of
 * the production code (which works eight bytes at a time). Only ASCII {@code a}-{@code z} change.
 */
public final class PythonUpper {
    private PythonUpper() {
    }

    public static byte upper(byte b) {
        int u = b & 0xFF;
        return u >= 0x61 && u <= 0x7A ? (byte) (u - 0x20) : b;
    }

    public static byte[] of(byte[] bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = upper(bytes[i]);
        }
        return out;
    }
}
