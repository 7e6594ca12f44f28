package nioreactor.robustness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicLong;
import nioreactor.testing.Loopback;

/**
 * A blocking test client with the few moves the fault tests need: stream a {@link Payload}, verify the upper-cased
 * echo of one, half-close, reset.
 */
final class EchoPeer implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private EchoPeer(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    static EchoPeer connect(InetSocketAddress server) throws IOException {
        return new EchoPeer(Loopback.connect(server));
    }

    /** Connects with a fixed, small receive buffer, so the kernel cannot absorb a slow reader's replies for it. */
    static EchoPeer connectWithReceiveBuffer(InetSocketAddress server, int bytes) throws IOException {
        return new EchoPeer(Loopback.connect(server, bytes));
    }

    Socket socket() {
        return socket;
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Writes {@code total} bytes of {@code payload} in 64 KiB writes; {@code sent} (may be null) counts progress. */
    void stream(Payload payload, long total, AtomicLong sent) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        for (long left = total; left > 0; ) {
            int n = (int) Math.min(chunk.length, left);
            payload.next(chunk, 0, n);
            out.write(chunk, 0, n);
            left -= n;
            if (sent != null) {
                sent.addAndGet(n);
            }
        }
        out.flush();
    }

    /** Reads exactly {@code n} bytes. */
    byte[] read(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("EOF after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /**
     * Reads until EOF (or {@code limit} bytes, if not negative), checking each byte is the upper-cased next byte of
     * {@code expected}; returns how many bytes came. Fails at the first wrong byte.
     */
    long readVerifying(Payload expected, long limit) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long got = 0;
        while (limit < 0 || got < limit) {
            int want = limit < 0 ? buf.length : (int) Math.min(buf.length, limit - got);
            int n = in.read(buf, 0, want);
            if (n < 0) {
                break;
            }
            long bad = expected.verifyUpper(buf, 0, n);
            if (bad >= 0) {
                throw new AssertionError("wrong byte at stream offset " + bad);
            }
            got += n;
        }
        return got;
    }

    /** Reads and discards until EOF; returns the byte count. A reset counts as EOF: the server may close hard. */
    long drain() throws IOException {
        byte[] buf = new byte[64 * 1024];
        long got = 0;
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                got += n;
            }
        } catch (SocketException reset) {
            // the server closed with our unread input pending: the kernel turns that into a reset
        }
        return got;
    }

    /** True when the server ended the connection: EOF, or a reset if it closed with our bytes unread. */
    boolean ended() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketException reset) {
            return true;
        }
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Closes with SO_LINGER 0: the kernel sends RST instead of FIN and drops whatever was unsent. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
