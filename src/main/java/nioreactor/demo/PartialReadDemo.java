package nioreactor.demo;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.Socket;
import nioreactor.server.Server;

/**
 * The seed's second 粘包 case: the receiver takes less than what arrived ({@code recv(2)}), and its next read starts
 * with the leftover of the first message, followed by the next message.
 */
public final class PartialReadDemo implements Demo {
    static final String FIRST = "hello feng";
    static final String SECOND = "world";

    @Override
    public String name() {
        return "partial-read";
    }

    @Override
    public String summary() {
        return "a receiver reading 2 then 10 bytes sees the rest of the first message in its second read";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        try (Server server = DemoSupport.server("demo-partial-read");
             Socket s = DemoSupport.connect(server.tcpAddress(), false)) {
            out.println("upper-echo (raw) on " + DemoSupport.hostPort(server.tcpAddress()));
            s.getOutputStream().write(DemoSupport.ascii(FIRST));
            s.getOutputStream().write(DemoSupport.ascii(SECOND));
            out.printf("sent two messages: b'%s' (%d bytes), then b'%s' (%d bytes); both echoes are waiting in our receive buffer%n",
                    FIRST, FIRST.length(), SECOND, SECOND.length());
            InputStream in = s.getInputStream();
            int total = FIRST.length() + SECOND.length();
            DemoSupport.awaitAvailable(in, total);
            byte[] buf = new byte[16];
            int[] asks = {2, 10, 10};
            int got = 0;
            for (int i = 0; i < asks.length && got < total; i++) {
                int n = in.read(buf, 0, asks[i]);
                got += n;
                out.printf("recv(%d) #%d -> %d bytes: %s%n", asks[i], i + 1, n, DemoSupport.quote(buf, 0, n));
            }
        }
        out.println();
        out.println("Why: recv(n) takes at most n bytes of whatever the kernel holds, never \"one message\". The first");
        out.println("recv(2) left the rest of the first reply in the buffer, so the next recv(10) began with it and ran");
        out.println("on into the second reply: 粘包 caused by the receiver (接收方不及时接收缓冲区的包). A protocol with");
        out.println("boundaries (a length prefix, as on the framed port) tells the receiver how much to take.");
    }
}
