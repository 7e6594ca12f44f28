package nioreactor.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;

/**
 * Blocking client of the raw upper-echo service (the seed's TCP server, default port 8082).
 *
 * <p>The protocol has no message boundaries: the server sends back every byte as soon as it arrives. So the answer to
 * {@code n} bytes is exactly the next {@code n} bytes of the stream, however the network chunks them; the seed's single
 * {@code recv(1024)} returns whatever happened to have arrived, which for a long line is only its beginning (and the
 * rest then shows up as the "answer" to the next line: the tutorial's sticky packets).
 */
public final class UpperClient implements EchoClient {
    /**
     * At most this many bytes are written before the client waits for their echo. Writing a long line all at once
     * before reading could deadlock: the server stops reading a connection whose unread replies pass its high water
     * mark (1 MiB by default), and this client would be stuck in {@code write} with nobody reading the replies. Keeping
     * at most {@code 2 * WINDOW} bytes unanswered stays far below any sensible water mark plus the kernel's buffers.
     */
    private static final int WINDOW = 64 * 1024;

    private final ClientSocket socket;
    private final InputStream in;
    private final OutputStream out;

    private UpperClient(ClientSocket socket) {
        this.socket = socket;
        this.in = socket.in();
        this.out = socket.out();
    }

    public static UpperClient connect(SocketAddress server) throws IOException {
        return connect(server, Timeouts.DEFAULT);
    }

    public static UpperClient connect(SocketAddress server, Timeouts timeouts) throws IOException {
        return connect(server, timeouts, null);
    }

    /** Over TLS when {@code tls} is not null (the server's TLS port), else plain TCP, or AF_UNIX for a socket file. */
    public static UpperClient connect(SocketAddress server, Timeouts timeouts, ClientTls tls) throws IOException {
        return new UpperClient(ClientSocket.open(server, timeouts, tls));
    }

    /** Sends {@code request} and reads back exactly {@code request.length} bytes: the whole echo, nothing more. */
    @Override
    public byte[] send(byte[] request) throws IOException {
        byte[] reply = new byte[request.length];
        int sent = 0;
        int received = 0;
        while (sent < request.length) {
            received = readAtLeast(reply, received, sent - WINDOW);
            int n = Math.min(WINDOW, request.length - sent);
            out.write(request, sent, n);
            sent += n;
        }
        readAtLeast(reply, received, request.length);
        return reply;
    }

    /** Reads into {@code reply} from {@code received} on until at least {@code target} bytes are there; never past its end. */
    private int readAtLeast(byte[] reply, int received, int target) throws IOException {
        while (received < target) {
            int n = in.read(reply, received, reply.length - received);
            if (n < 0) {
                throw new EOFException("the server closed the connection after " + received + " of "
                        + reply.length + " reply bytes");
            }
            received += n;
        }
        return received;
    }

    @Override
    public SocketAddress remoteAddress() {
        return socket.remoteAddress();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
