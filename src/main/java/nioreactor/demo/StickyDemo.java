package nioreactor.demo;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import nioreactor.server.Server;

/**
 * 粘包 (sticky packets): two quick small sends on a TCP connection come out of one read, because TCP is a byte
 * stream with no message boundaries. Then the same two messages with a length prefix on the framed port stay two.
 */
public final class StickyDemo implements Demo {
    static final String FIRST = "hello";
    static final String SECOND = "feng";
    private static final int ATTEMPTS = 5;

    @Override
    public String name() {
        return "sticky";
    }

    @Override
    public String summary() {
        return "粘包 / sticky packets: two quick sends come out of one read; length-prefixed frames stay two messages";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        try (Server server = DemoSupport.server("demo-sticky")) {
            out.println("upper-echo (raw) on " + DemoSupport.hostPort(server.tcpAddress()) + ", framed upper-echo on "
                    + DemoSupport.hostPort(server.framedAddress()));
            out.println();
            out.println("1. The seed's experiment on the raw port: send(b'" + FIRST + "'); send(b'" + SECOND
                    + "'), then wait a moment before one recv(1024).");
            raw(server.tcpAddress(), true, out);
            raw(server.tcpAddress(), false, out);
            out.println();
            out.println("2. The same two messages on the framed port, each behind a 4-byte big-endian length.");
            framed(server.framedAddress(), out);
        }
        out.println();
        out.println("Why: TCP is a byte stream (面向流). send() hands bytes to the kernel; recv() takes whatever has");
        out.println("arrived, so a receiver that reads a little late gets both messages in one read: 粘包 (sticky");
        out.println("packets). Nagle's algorithm (on unless TCP_NODELAY) can also merge small sends into one segment,");
        out.println("but as the 'Nagle off' run shows, turning it off does not give you message boundaries. UDP keeps");
        out.println("them (see `demo udp-boundaries`); over TCP the receiver needs framing, like the length prefix of");
        out.println("the framed port: the reads may still hold both, but the prefixes split them back into messages.");
    }

    /** Two sends, a short delay, one read; retries with a longer delay if this run's timing kept them apart. */
    private static void raw(InetSocketAddress to, boolean nagle, PrintStream out) throws Exception {
        String label = nagle ? "Nagle on  (TCP_NODELAY off)" : "Nagle off (TCP_NODELAY on) ";
        int expected = FIRST.length() + SECOND.length();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            long delayMillis = 50L * attempt;
            try (Socket s = DemoSupport.connect(to, nagle)) {
                OutputStream o = s.getOutputStream();
                o.write(DemoSupport.ascii(FIRST)); // two separate send() calls, back to back
                o.write(DemoSupport.ascii(SECOND));
                Thread.sleep(delayMillis); // the receiver is a little slow to call recv
                InputStream in = s.getInputStream();
                byte[] buf = new byte[1024];
                int n = in.read(buf);
                if (n == expected) {
                    out.printf("   %s: one recv(1024) after %d ms returned %d bytes: %s  <- both messages in one read (粘包)%n",
                            label, delayMillis, n, DemoSupport.quote(buf, 0, n));
                    return;
                }
                out.printf("   %s: this run's timing didn't merge them: the first recv returned %d bytes (%s); retrying with a longer delay%n",
                        label, n, n > 0 ? DemoSupport.quote(buf, 0, n) : "EOF");
            }
        }
        out.printf("   %s: no attempt of %d merged them on this machine (timing); the stream still had no boundaries%n",
                label, ATTEMPTS);
    }

    private static void framed(InetSocketAddress to, PrintStream out) throws Exception {
        try (Socket s = DemoSupport.connect(to, true)) {
            OutputStream o = s.getOutputStream();
            o.write(frame(FIRST));
            o.write(frame(SECOND));
            int total = 2 * 4 + FIRST.length() + SECOND.length();
            DemoSupport.awaitAvailable(s.getInputStream(), total);
            byte[] buf = new byte[1024];
            int n = s.getInputStream().read(buf);
            out.printf("   one recv(1024) returned %d bytes (%d expected in all)%n", n, total);
            // Decode with the length prefixes, reading the rest if the first read did not hold everything.
            DataInputStream in = new DataInputStream(new java.io.SequenceInputStream(
                    new java.io.ByteArrayInputStream(buf, 0, n), s.getInputStream()));
            List<String> messages = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                byte[] payload = new byte[in.readInt()];
                in.readFully(payload);
                messages.add(DemoSupport.quote(payload, 0, payload.length) + " (" + payload.length + " bytes)");
            }
            out.printf("   the length prefixes split them into %d messages: %s%n", messages.size(), String.join(", ", messages));
        }
    }

    private static byte[] frame(String message) {
        byte[] payload = DemoSupport.ascii(message);
        return ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array();
    }
}
