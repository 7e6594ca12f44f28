package nioreactor.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.ProtocolException;

/**
 * Blocking client of the framed upper-echo service (default port 8083): each message is a 4-byte big-endian length
 * then that many bytes, and each is answered by one frame of the same length. The length prefix is the tutorial's own
 * cure for sticky packets: the reader always knows where a message ends.
 */
public final class FramedClient implements EchoClient {
    private final ClientSocket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private FramedClient(ClientSocket socket) {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.in()));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.out()));
    }

    public static FramedClient connect(SocketAddress server) throws IOException {
        return connect(server, Timeouts.DEFAULT);
    }

    public static FramedClient connect(SocketAddress server, Timeouts timeouts) throws IOException {
        return connect(server, timeouts, null);
    }

    /** Over TLS when {@code tls} is not null (the server's TLS port), else plain TCP, or AF_UNIX for a socket file. */
    public static FramedClient connect(SocketAddress server, Timeouts timeouts, ClientTls tls) throws IOException {
        return new FramedClient(ClientSocket.open(server, timeouts, tls));
    }

    /**
     * Writes {@code payload} as one frame and reads the one frame that answers it. The server reads a whole frame
     * before answering it, so writing it all first cannot deadlock. A payload above the server's maximum frame makes
     * the server close the connection, which shows here as an {@link java.io.EOFException} or a reset.
     *
     * @throws ProtocolException when the answer's length differs from the request's: the stream is out of step
     */
    @Override
    public byte[] send(byte[] payload) throws IOException {
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
        int length = in.readInt();
        if (length != payload.length) {
            // Checked before allocating, so a confused or hostile peer cannot make us allocate gigabytes.
            throw new ProtocolException("answer frame of " + Integer.toUnsignedString(length)
                    + " bytes to a request of " + payload.length + " bytes");
        }
        byte[] reply = new byte[length];
        in.readFully(reply);
        return reply;
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
