package nioreactor.demo;

import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

/**
 * The seed's UDP experiments: each sendto is one message for one recvfrom, never merged (UDP does not stick); and a
 * receive buffer smaller than the datagram ({@code recvfrom(1)}) keeps its first byte and loses the rest.
 */
public final class UdpBoundariesDemo implements Demo {
    static final String[] MESSAGES = {"hello", "world", "egon"};
    /** How long an empty socket is watched to show that nothing else is coming. */
    private static final int QUIET_MILLIS = 300;

    @Override
    public String name() {
        return "udp-boundaries";
    }

    @Override
    public String summary() {
        return "three datagrams stay three messages; recvfrom(1) keeps 1 byte of each and loses the rest";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (DatagramSocket receiver = new DatagramSocket(loopback);
             DatagramSocket sender = new DatagramSocket(loopback)) {
            receiver.setSoTimeout(DemoSupport.TIMEOUT_MILLIS);
            out.println("receiver on " + DemoSupport.hostPort((InetSocketAddress) receiver.getLocalSocketAddress()));
            out.println();
            out.println("1. sendto(b'hello'), sendto(b'world'), sendto(b'egon'), then recvfrom(1024) three times:");
            send(sender, receiver);
            receive(receiver, 1024, out);
            out.println("   " + quiet(receiver));
            out.println();
            out.println("2. the same three datagrams, then recvfrom(1) three times (the seed's experiment):");
            send(sender, receiver);
            receive(receiver, 1, out);
            out.println("   " + quiet(receiver));
        }
        out.println();
        out.println("Why: UDP is message-oriented (面向消息): the kernel queues each datagram whole, with its sender's");
        out.println("address, and one recvfrom takes exactly one of them. So UDP never sticks (不会粘包), but a buffer");
        out.println("smaller than the datagram loses the tail silently (数据丢失): recvfrom(x) with y > x bytes sent.");
        out.println("That is why nioreactor's time service receives into a 64 KiB buffer, the largest datagram size.");
    }

    private static void send(DatagramSocket sender, DatagramSocket receiver) throws Exception {
        for (String m : MESSAGES) {
            byte[] b = DemoSupport.ascii(m);
            sender.send(new DatagramPacket(b, b.length, receiver.getLocalSocketAddress()));
        }
    }

    private static void receive(DatagramSocket receiver, int size, PrintStream out) throws Exception {
        for (int i = 0; i < MESSAGES.length; i++) {
            DatagramPacket p = new DatagramPacket(new byte[size], size);
            receiver.receive(p);
            int sent = MESSAGES[i].length();
            String lost = p.getLength() < sent ? "  <- sent " + sent + " bytes: " + (sent - p.getLength()) + " lost" : "";
            out.printf("   recvfrom(%d) #%d -> %d byte%s: %s%s%n", size, i + 1, p.getLength(), p.getLength() == 1 ? "" : "s",
                    DemoSupport.quote(p.getData(), 0, p.getLength()), lost);
        }
    }

    /** Shows that nothing is left over: no fourth message, no tails waiting for a later recvfrom. */
    private static String quiet(DatagramSocket receiver) throws Exception {
        receiver.setSoTimeout(QUIET_MILLIS);
        try {
            DatagramPacket p = new DatagramPacket(new byte[1024], 1024);
            receiver.receive(p);
            return "unexpected: a 4th recvfrom got " + p.getLength() + " bytes";
        } catch (SocketTimeoutException e) {
            return "a 4th recvfrom waited " + QUIET_MILLIS + " ms and got nothing: 3 sendto, 3 messages, nothing left over";
        } finally {
            receiver.setSoTimeout(DemoSupport.TIMEOUT_MILLIS);
        }
    }
}
