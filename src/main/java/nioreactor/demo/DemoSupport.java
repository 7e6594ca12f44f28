package nioreactor.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;

/** What the demos share: a nioreactor on ephemeral loopback ports, blocking client sockets that cannot hang, quoting. */
final class DemoSupport {
    static final int TIMEOUT_MILLIS = 5_000;

    private DemoSupport() {
    }

    /** A nioreactor with every service on an ephemeral port of 127.0.0.1. */
    static Server server(String reactorName) throws IOException {
        return Server.start(ServerConfig.builder().ephemeralPorts().reactorName(reactorName).build());
    }

    /** A blocking client socket, like the seed's; {@code nagle} false sets TCP_NODELAY. Reads time out. */
    static Socket connect(InetSocketAddress to, boolean nagle) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(!nagle);
            s.connect(to, TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Blocks until {@code n} bytes can be read without blocking (or the timeout passes): the "slow receiver". */
    static void awaitAvailable(InputStream in, int n) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT_MILLIS * 1_000_000L;
        while (in.available() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    /** 127.0.0.1:8082, not InetSocketAddress's "/127.0.0.1:8082". */
    static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Bytes as the seed prints them: b'HELLO'. */
    static String quote(byte[] b, int off, int len) {
        return "b'" + new String(b, off, len, StandardCharsets.US_ASCII) + "'";
    }
}
