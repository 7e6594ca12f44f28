package nioreactor.demo;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Limits;
import nioreactor.reactor.ReactorStats;
import nioreactor.server.UpperEcho;

/**
 * The seed's "客户端直接终止程序": when the peer closes, {@code recv} stops blocking and returns empty bytes. In Java
 * the read returns -1; the reactor sees it, closes its side cleanly and counts the close as peer-eof.
 */
public final class RecvEofDemo implements Demo {

    @Override
    public String name() {
        return "recv-eof";
    }

    @Override
    public String summary() {
        return "the peer closes; the server's read returns -1 (Python's empty recv) and the connection closes cleanly";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        try (TracedReactor reactor = new TracedReactor("demo-recv-eof")) {
            InetSocketAddress address = reactor.listen("upper-echo", UpperEcho.forOneReactor(), Limits.DEFAULTS);
            out.println("upper-echo on " + DemoSupport.hostPort(address) + "; the reactor's trace of each connection is shown");
            out.println();
            out.println("1. The client sends b'hello', reads the reply, then closes its socket (the program ends):");
            try (Socket s = DemoSupport.connect(address, false)) {
                s.getOutputStream().write(DemoSupport.ascii("hello"));
                byte[] buf = new byte[1024];
                int n = s.getInputStream().read(buf);
                out.printf("   client: recv(1024) -> %d bytes %s; close()%n", n, DemoSupport.quote(buf, 0, Math.max(n, 0)));
            }
            reactor.awaitLine(l -> l.startsWith("close #1 "), Duration.ofSeconds(10));
            reactor.linesOf(1).forEach(l -> out.println("   trace: " + l));
            out.println();
            out.println("2. The client half-closes (shutdown(SHUT_WR): sends FIN but keeps reading), then reads:");
            try (Socket s = DemoSupport.connect(address, false)) {
                s.getOutputStream().write(DemoSupport.ascii("bye"));
                s.shutdownOutput();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[1024];
                int n = in.read(buf);
                out.printf("   client: recv(1024) -> %d bytes %s (the reply still arrives after our FIN)%n", n,
                        DemoSupport.quote(buf, 0, Math.max(n, 0)));
                int eof = in.read(buf);
                out.printf("   client: recv(1024) -> %d: the server closed in turn; this is the empty recv on our side%n", eof);
            }
            reactor.awaitLine(l -> l.startsWith("close #2 "), Duration.ofSeconds(10));
            reactor.linesOf(2).forEach(l -> out.println("   trace: " + l));
            ReactorStats stats = reactor.stats();
            out.println();
            out.printf("counters: connections active %d, closed peer-eof %d, reset %d%n", stats.connectionsActive(),
                    stats.closed(CloseReason.PEER_EOF), stats.closed(CloseReason.RESET));
        }
        out.println();
        out.println("Why: a TCP peer that closes sends FIN. The seed's recv then returns b'' at once instead of");
        out.println("blocking (对方断开, recv 收到的是空); Java's read returns -1, and the selector reports the socket");
        out.println("readable so the loop finds out without waiting. The reactor closes its side once every reply is");
        out.println("flushed, and counts it as peer-eof; a reset or a failed read would count as reset instead.");
    }
}
