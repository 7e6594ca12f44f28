package nioreactor.client;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Loopback addresses where nobody listens: a port is bound (so it was free) and closed at once. */
public final class ClosedPorts {
    private ClosedPorts() {
    }

    /** A TCP address whose connect is refused. */
    public static InetSocketAddress tcp() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }
    }

    /** A UDP address where every datagram goes unanswered. */
    public static InetSocketAddress udp() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }
    }
}
