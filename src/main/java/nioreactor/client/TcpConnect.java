package nioreactor.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;

/** How both TCP clients open their socket. */
final class TcpConnect {
    private TcpConnect() {
    }

    /** A TCP socket to {@code server}, or over it a TLS one with its handshake done when {@code tls} is not null. */
    static Socket open(InetSocketAddress server, Timeouts timeouts, ClientTls tls) throws IOException {
        Socket socket = open(server, timeouts);
        return tls == null ? socket : tls.handshake(socket);
    }

    static Socket open(InetSocketAddress server, Timeouts timeouts) throws IOException {
        if (server.isUnresolved()) {
            throw new UnknownHostException("unknown host " + server.getHostString());
        }
        Socket socket = new Socket();
        try {
            // Each line is one small write the user waits for: Nagle would only add delay.
            socket.setTcpNoDelay(true);
            socket.connect(server, timeouts.connectMillis());
            socket.setSoTimeout(timeouts.readMillis());
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
