package nioreactor.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import nioreactor.reactor.UdpSocket;

/**
 * Blocking clients on 127.0.0.1 for tests, every blocking call bounded by a timeout: a server bug shows up as a
 * failed test, never as a hung build. The timeouts are generous because a loaded 2-core box can be slow.
 */
public final class Loopback {
    /** How long one blocking read may wait before the test fails. */
    public static final int READ_TIMEOUT_MILLIS = 30_000;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    /** One byte more than any datagram can carry, so that a reply cut short could not pass for a whole one. */
    private static final int RECEIVE_BUFFER = UdpSocket.MAX_DATAGRAM + 1;

    private Loopback() {
    }

    /** A connected TCP socket with TCP_NODELAY and a read timeout. */
    public static Socket connect(InetSocketAddress server) throws IOException {
        return connect(server, 0);
    }

    /**
     * Likewise, with a small fixed receive buffer when {@code receiveBuffer > 0}: a client that reads late then
     * really makes the server queue its replies (loopback otherwise grows the buffer to megabytes and absorbs them).
     */
    public static Socket connect(InetSocketAddress server, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        try {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer); // before connect, so the TCP window is negotiated with it
            }
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.connect(server, CONNECT_TIMEOUT_MILLIS);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Starts a thread that writes {@code bytes} to {@code socket} while the test reads (or waits for the server to
     * give up on a client that does not read). A write that fails, because the server closed or reset the connection,
     * ends the thread quietly: the test judges by what it reads and by the server's counters. Join it with a timeout.
     */
    public static Thread writeInBackground(Socket socket, byte[] bytes, String threadName) {
        Thread writer = new Thread(() -> {
            try {
                socket.getOutputStream().write(bytes);
            } catch (IOException expected) {
                // the server hung up while we were still sending
            }
        }, threadName);
        writer.start();
        return writer;
    }

    /** An unconnected UDP socket on an ephemeral loopback port, with a read timeout. */
    public static DatagramSocket udp() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        return socket;
    }

    /** Sends one datagram and returns the one reply (loopback UDP with one request in flight does not lose it). */
    public static byte[] ask(DatagramSocket socket, InetSocketAddress server, byte[] request) throws IOException {
        socket.send(new DatagramPacket(request, request.length, server));
        DatagramPacket reply = new DatagramPacket(new byte[RECEIVE_BUFFER], RECEIVE_BUFFER);
        socket.receive(reply);
        return Arrays.copyOf(reply.getData(), reply.getLength());
    }

    /** Fails unless the stream ends (the server's FIN) within the read timeout, with no further byte before it. */
    public static void assertEof(InputStream in, String what) throws IOException {
        int b;
        try {
            b = in.read();
        } catch (SocketTimeoutException e) {
            throw new AssertionError(what + ": no EOF within " + READ_TIMEOUT_MILLIS + " ms", e);
        }
        if (b != -1) {
            throw new AssertionError(what + ": expected EOF, got another byte 0x" + Integer.toHexString(b));
        }
    }
}
