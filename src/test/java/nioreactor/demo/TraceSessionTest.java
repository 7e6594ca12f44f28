package nioreactor.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.List;
import nioreactor.reactor.Limits;
import nioreactor.reactor.UdpLimits;
import nioreactor.server.FramedUpperEcho;
import nioreactor.server.TimeService;
import nioreactor.server.UpperEcho;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code serve --trace}: a scripted session, and the trace must tell its story, event by event. */
@Timeout(60)
class TraceSessionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aScriptedSessionShowsEveryKindOfEvent() throws Exception {
        Limits small = Limits.DEFAULTS.withWaterMarks(64 * 1024, 16 * 1024).withMaxConnections(100).withAcceptBudget(8);
        Limits idle = small.withIdleTimeout(Duration.ofMillis(100));
        Limits none = small.withMaxConnections(0);
        TracedReactor traced = new TracedReactor("trace-test");
        Socket leftOpen = null;
        try {
            InetSocketAddress upper = traced.listen("upper-echo", UpperEcho.forOneReactor(), small);
            InetSocketAddress framed = traced.listen("framed-echo",
                    FramedUpperEcho.forOneReactor(traced.reactor(), 16), small);
            InetSocketAddress idling = traced.listen("idle", UpperEcho.forOneReactor(), idle);
            InetSocketAddress full = traced.listen("full", UpperEcho.forOneReactor(), none);
            InetSocketAddress udp = TimeService.bind(traced.reactor(),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ZoneOffset.UTC, InstantSource.system(),
                    new UdpLimits(64, 16)).get(10, TimeUnit.SECONDS).localAddress();

            // #1: hello, reply, close: accept, read, write, eof, close (peer-eof)
            try (Socket s = Loopback.connect(upper)) {
                s.getOutputStream().write("hello".getBytes());
                new DataInputStream(s.getInputStream()).readFully(new byte[5]);
            }
            traced.awaitLine(l -> l.equals("close #1 (peer-eof)"), WAIT);
            List<String> one = traced.linesOf(1);
            assertThat(one.get(0)).matches("accept #1 from tcp 127\\.0\\.0\\.1:\\d+ on upper-echo");
            assertThat(one).contains("read #1 5 bytes", "write #1 5 of 5 bytes, 0 pending",
                    "eof #1 (peer closed its side)", "close #1 (peer-eof)");

            // #2: a client that sends 1 MiB without reading: reply piles up, OP_WRITE on, reading paused; then it reads
            // a small receive buffer, so the echo backs up in the server, not in our buffer
            try (Socket s = Loopback.connect(upper, 16 * 1024)) {
                byte[] mib = new byte[8 * 1024 * 1024];
                // a failed write shows in the assertions below
                Thread writer = Loopback.writeInBackground(s, mib, "trace-test-writer");
                traced.awaitLine(l -> l.startsWith("reading paused #2 "), WAIT);
                new DataInputStream(s.getInputStream()).readFully(new byte[mib.length]);
                writer.join(WAIT.toMillis());
                traced.awaitLine(l -> l.startsWith("OP_WRITE off #2 "), WAIT);
            }
            List<String> two = traced.linesOf(2);
            assertThat(two).anyMatch(l -> l.matches("OP_WRITE on #2 \\(\\d+ bytes pending\\)"))
                    .anyMatch(l -> l.matches("reading paused #2 \\(\\d+ bytes pending > high water mark\\)"))
                    .anyMatch(l -> l.matches("reading resumed #2 \\(\\d+ bytes pending <= low water mark\\)"))
                    .anyMatch(l -> l.matches("write #2 \\d+ of \\d+ pending bytes"))
                    .anyMatch(l -> l.matches("OP_WRITE off #2 \\(0 bytes pending\\)"));

            // #3: a reset (SO_LINGER 0 makes close send RST)
            Socket reset = Loopback.connect(upper);
            reset.getOutputStream().write('x');
            assertThat(reset.getInputStream().read()).isEqualTo('X');
            reset.setSoLinger(true, 0);
            reset.close();
            traced.awaitLine(l -> l.equals("close #3 (reset)"), WAIT);

            // #4: a frame over the limit: protocol error, closed after the server's FIN and ours
            try (Socket s = Loopback.connect(framed)) {
                s.getOutputStream().write(ByteBuffer.allocate(4).putInt(1000).array());
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            traced.awaitLine(l -> l.equals("close #4 (protocol-error)"), WAIT);

            // #5: idle: its timer fires and closes it
            try (Socket s = Loopback.connect(idling)) {
                traced.awaitLine(l -> l.equals("close #5 (idle)"), WAIT);
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(traced.lines()).contains("timer idle #5 fired");

            // over the connection limit: refused at once
            try (Socket s = Loopback.connect(full)) {
                traced.awaitLine(l -> l.startsWith("close (limit)"), WAIT);
            }

            // datagrams in and out
            try (DatagramSocket d = Loopback.udp()) {
                d.send(new DatagramPacket(new byte[0], 0, udp));
                d.receive(new DatagramPacket(new byte[100], 100));
            }
            traced.awaitLine(l -> l.matches("datagram out to /127\\.0\\.0\\.1:\\d+ \\(\\d+ bytes\\)"), WAIT);
            assertThat(traced.lines()).anyMatch(l -> l.matches("datagram in from /127\\.0\\.0\\.1:\\d+ \\(0 bytes\\)"));

            // selects: blocking, and returning with ready keys and the time blocked
            assertThat(traced.lines()).anyMatch(l -> l.matches("select -> [1-9]\\d* ready after \\d+ us"))
                    .anyMatch(l -> l.equals("select blocking (no timer)"))
                    .anyMatch(l -> l.matches("select woke after \\d+ us"));

            // #6 still open at shutdown
            leftOpen = Loopback.connect(upper);
            leftOpen.getOutputStream().write('y');
            assertThat(leftOpen.getInputStream().read()).isEqualTo('Y');
        } finally {
            traced.close();
            if (leftOpen != null) {
                leftOpen.close();
            }
        }
        assertThat(traced.lines()).contains("close #6 (shutdown)");
    }
}
