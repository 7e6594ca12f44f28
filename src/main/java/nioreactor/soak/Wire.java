package nioreactor.soak;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import nioreactor.protocol.Upper;

/** The blocking-socket moves the loads share; every blocking call is bounded, so a server bug shows as an error. */
final class Wire {
    static final int TIMEOUT_MILLIS = 30_000;

    private Wire() {
    }

    static Socket connect(InetSocketAddress server, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        try {
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            s.setTcpNoDelay(true);
            s.setSoTimeout(TIMEOUT_MILLIS);
            s.connect(server, TIMEOUT_MILLIS);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("EOF after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** Fails unless {@code got} is {@code sent} upper-cased. */
    static void checkUpper(byte[] sent, byte[] got, String what) throws IOException {
        if (!Arrays.equals(Upper.of(sent), got)) {
            throw new IOException(what + ": reply differs from the upper-cased request (" + sent.length + " bytes)");
        }
    }

    /** Closes with SO_LINGER 0: a reset instead of a FIN, dropping whatever is unsent. */
    static void reset(Socket s) throws IOException {
        s.setSoLinger(true, 0);
        s.close();
    }
}
