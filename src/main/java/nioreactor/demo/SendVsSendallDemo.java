package nioreactor.demo;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32;
import nioreactor.reactor.Connection;
import nioreactor.reactor.Limits;
import nioreactor.reactor.StreamHandler;

/**
 * The seed's send vs sendall: one non-blocking write of 16 MiB takes only what fits in the kernel's buffers and
 * returns the count (Python's {@code send}); nioreactor's write queue keeps the rest and finishes it whenever the
 * selector says the socket is writable again (Python's {@code sendall}, without blocking the loop).
 */
public final class SendVsSendallDemo implements Demo {
    static final int SIZE = 16 * 1024 * 1024;
    private static final int CLIENT_RECEIVE_BUFFER = 64 * 1024;

    @Override
    public String name() {
        return "send-vs-sendall";
    }

    @Override
    public String summary() {
        return "one non-blocking write of 16 MiB returns a partial count; the write queue sends the rest";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        byte[] data = payload();
        out.printf("1. send: one write() of %,d bytes on a non-blocking socket to a client that is not reading yet%n", SIZE);
        send(data, out);
        out.println();
        out.printf("2. sendall: the same %,d bytes through nioreactor's Connection.send (its write queue),%n", SIZE);
        out.println("   to a client that reads slowly; the reactor's own trace shows what happened:");
        sendall(data, out);
        out.println();
        out.println("Why: send() copies into the kernel's send buffer only what fits and returns that count; the seed");
        out.println("warns that the rest is lost unless you loop (数据丢失), and sendall is that loop. A blocking");
        out.println("sendall would stall the one reactor thread, so nioreactor keeps the rest in a queue, turns on");
        out.println("OP_WRITE, and writes more each time the selector says the socket has room; above the high water");
        out.println("mark it also stops reading that client (backpressure), so a slow reader cannot grow our memory.");
    }

    private static void send(byte[] data, PrintStream out) throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(loopback);
             Socket client = new Socket()) {
            client.setReceiveBufferSize(CLIENT_RECEIVE_BUFFER);
            client.connect(listener.getLocalAddress(), DemoSupport.TIMEOUT_MILLIS);
            try (SocketChannel conn = listener.accept()) {
                conn.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
                conn.configureBlocking(false);
                int n = conn.write(ByteBuffer.wrap(data));
                out.printf("   write returned %,d: the kernel took %.1f%% of it; %,d bytes were NOT sent%n",
                        n, 100.0 * n / SIZE, SIZE - n);
                out.println("   (the kernel buffers were full; a program that ignores the count silently loses the rest)");
            }
        }
    }

    private static void sendall(byte[] data, PrintStream out) throws Exception {
        try (TracedReactor reactor = new TracedReactor("demo-sendall")) {
            InetSocketAddress address = reactor.listen("sendall", () -> new SendOnRequest(data), Limits.DEFAULTS);
            CRC32 received = new CRC32();
            long total = 0;
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(CLIENT_RECEIVE_BUFFER);
                client.connect(address, DemoSupport.TIMEOUT_MILLIS);
                client.setSoTimeout(DemoSupport.TIMEOUT_MILLIS);
                client.getOutputStream().write(DemoSupport.ascii("go"));
                reactor.awaitLine(l -> l.startsWith("write #1 "), Duration.ofSeconds(10));
                InputStream in = client.getInputStream();
                byte[] buf = new byte[16 * 1024];
                long nextPause = 1024 * 1024;
                while (total < SIZE) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, SIZE - total));
                    if (n < 0) {
                        break;
                    }
                    received.update(buf, 0, n);
                    total += n;
                    if (total >= nextPause) {
                        Thread.sleep(2); // the slow reader: a pause after every MiB
                        nextPause += 1024 * 1024;
                    }
                }
            }
            reactor.awaitLine(l -> l.startsWith("OP_WRITE off #1 ") || l.startsWith("close #1 "), Duration.ofSeconds(10));
            List<String> story = reactor.linesOf(1);
            List<String> flushes = story.stream().filter(l -> l.matches("write #1 \\d+ of \\d+ pending bytes")).toList();
            // The first write's line comes after the queue's reactions to it (OP_WRITE on, reading paused): show it first.
            story.stream().filter(l -> l.matches("write #1 \\d+ of \\d+ bytes.*")).forEach(l -> out.println("   trace: " + l));
            story.stream().filter(l -> l.startsWith("OP_WRITE on") || l.startsWith("reading paused"))
                    .forEach(l -> out.println("   trace: " + l));
            if (!flushes.isEmpty()) {
                out.println("   trace: " + flushes.get(0));
                if (flushes.size() > 2) {
                    out.printf("   ... %d more writes like these, each when select reported the socket writable ...%n",
                            flushes.size() - 2);
                }
                if (flushes.size() > 1) {
                    out.println("   trace: " + flushes.get(flushes.size() - 1));
                }
            }
            for (String line : story) {
                if (line.startsWith("reading resumed") || line.startsWith("OP_WRITE off")) {
                    out.println("   trace: " + line);
                }
            }
            out.printf("   the write queue finished the reply in %d writes after the first%n", flushes.size());
            CRC32 sent = new CRC32();
            sent.update(data);
            out.printf("   the client received %,d of %,d bytes; CRC32 %s: every byte arrived, in order%n", total, SIZE,
                    sent.getValue() == received.getValue() ? "matches" : "DIFFERS");
        }
    }

    private static byte[] payload() {
        byte[] data = new byte[SIZE];
        for (int i = 0; i < SIZE; i++) {
            data[i] = (byte) ('a' + i % 26);
        }
        return data;
    }

    /** Answers the client's first bytes with one 16 MiB reply, sent with sendall semantics. */
    private static final class SendOnRequest implements StreamHandler {
        private final byte[] data;
        private boolean sent;

        SendOnRequest(byte[] data) {
            this.data = data;
        }

        @Override
        public void onData(Connection connection, ByteBuffer request) {
            request.position(request.limit());
            if (!sent) {
                sent = true;
                connection.send(ByteBuffer.wrap(data));
            }
        }
    }
}
