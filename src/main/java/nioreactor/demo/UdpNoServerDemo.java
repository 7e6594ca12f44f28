package nioreactor.demo;

import java.io.PrintStream;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * The seed's "run the UDP client without a server": sendto succeeds and the reply never comes; the same port over
 * TCP refuses the connection. Plus what a connected UDP socket learns from the kernel's ICMP error.
 */
public final class UdpNoServerDemo implements Demo {
    private static final int WAIT_MILLIS = 500;

    @Override
    public String name() {
        return "udp-no-server";
    }

    @Override
    public String summary() {
        return "sendto a port nobody listens on \"succeeds\" and no reply comes; TCP connect there is refused";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        InetSocketAddress nobody = freePort();
        out.println("nobody listens on " + DemoSupport.hostPort(nobody) + " (a port just bound and released again)");
        out.println();
        out.println("1. UDP, like the seed's client: sendto(b'hello'), then recvfrom(1024)");
        try (DatagramChannel udp = DatagramChannel.open(); Selector selector = Selector.open()) {
            udp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            udp.configureBlocking(false);
            int sent = udp.send(ByteBuffer.wrap(DemoSupport.ascii("hello")), nobody);
            out.printf("   sendto returned %d: no error, the kernel took the datagram%n", sent);
            udp.register(selector, SelectionKey.OP_READ);
            int ready = selector.select(WAIT_MILLIS);
            ByteBuffer reply = ByteBuffer.allocate(1024);
            out.printf("   after %d ms: %s%n", WAIT_MILLIS, ready == 0 || udp.receive(reply) == null
                    ? "no reply, and no error either: a recvfrom would wait forever (the seed: 消息丢了)"
                    : "unexpected: " + reply.position() + " bytes came back");
        }
        out.println();
        out.println("2. UDP with a connected socket (connect() fixes the peer; the kernel may then report errors):");
        try (DatagramChannel udp = DatagramChannel.open(); Selector selector = Selector.open()) {
            udp.connect(nobody);
            udp.configureBlocking(false);
            int sent = udp.write(ByteBuffer.wrap(DemoSupport.ascii("hello")));
            out.printf("   send returned %d%n", sent);
            udp.register(selector, SelectionKey.OP_READ);
            selector.select(WAIT_MILLIS);
            try {
                udp.read(ByteBuffer.allocate(1024));
                out.println("   recv: nothing, no error (this system did not report the ICMP 'port unreachable')");
            } catch (PortUnreachableException e) {
                out.println("   recv threw PortUnreachableException: the ICMP 'port unreachable' answer, passed on only");
                out.println("   because the socket is connected; still no reply, and sendto itself never failed");
            }
        }
        out.println();
        out.println("3. TCP connect() to the same port:");
        try (Socket s = new Socket()) {
            s.connect(nobody, DemoSupport.TIMEOUT_MILLIS);
            out.println("   unexpected: connected");
        } catch (ConnectException e) {
            out.println("   connect failed at once: ConnectException: " + e.getMessage());
        }
        out.println();
        out.println("Why: UDP is connectionless (无连接): sendto only hands a datagram to the local kernel, which sends");
        out.println("it whether or not anyone listens, so it \"succeeds\" and the message is simply lost. TCP must");
        out.println("first set up a connection (the three-way handshake); with nobody listening the peer's kernel");
        out.println("answers RST and connect fails: Connection refused. 'UDP is unreliable' starts here.");
    }

    private static InetSocketAddress freePort() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int i = 0; i < 20; i++) {
            int port;
            try (ServerSocket tcp = new ServerSocket(0, 1, loopback)) {
                port = tcp.getLocalPort();
            }
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, port))) {
                return new InetSocketAddress(loopback, udp.getLocalPort()); // free for UDP too; both released on return
            } catch (java.net.BindException taken) {
                // the UDP side of that port is in use; try another
            }
        }
        throw new IllegalStateException("no free loopback port found");
    }
}
