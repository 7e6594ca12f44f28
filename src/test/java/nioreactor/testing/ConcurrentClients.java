package nioreactor.testing;

import java.io.IOException;
import java.io.Closeable;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Many clients at once, each on its own connection with two threads: one writes its request in random-sized pieces
 * while the other reads the reply concurrently (in random-sized reads too) and checks every byte. Reading while
 * writing matters: a client that only writes would stall on the server's backpressure, by design.
 *
 * <p>After the whole reply, each client half-closes and expects the server's EOF, so every run also proves the
 * connections end cleanly.
 */
public final class ConcurrentClients {

    /** What one connection sends, and exactly what it must get back. */
    public record Exchange(byte[] request, byte[] expectedReply) {
    }

    /** Framed exchanges, with the frames and request bytes they hold (what the server's counters must show). */
    public record FramedLoad(List<Exchange> exchanges, long frames, long bytes) {
    }

    /**
     * {@code connections} upper-echo exchanges of {@code bytes} random bytes each, connection i drawn from
     * {@code seed.random(first + i)}; the expected reply is Python's {@code bytes.upper()} of the request.
     */
    public static List<Exchange> upperEchoes(Seed seed, int first, int connections, int bytes) {
        List<Exchange> exchanges = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            byte[] data = RandomChunks.bytes(seed.random(first + i), bytes);
            exchanges.add(new Exchange(data, PythonUpper.of(data)));
        }
        return exchanges;
    }

    /**
     * {@code connections} framed exchanges, each about {@code bytes} of random frames of 0 to {@code maxFrame} bytes,
     * connection i drawn from {@code seed.random(first + i)}.
     */
    public static FramedLoad framedEchoes(Seed seed, int first, int connections, int bytes, int maxFrame) {
        List<Exchange> exchanges = new ArrayList<>();
        long frames = 0;
        long total = 0;
        for (int i = 0; i < connections; i++) {
            List<byte[]> payloads = Frames.randomPayloads(seed.random(first + i), bytes, maxFrame);
            byte[] request = Frames.encode(payloads);
            exchanges.add(new Exchange(request, Frames.expectedReply(payloads)));
            frames += payloads.size();
            total += request.length;
        }
        return new FramedLoad(exchanges, frames, total);
    }

    private static final long DEADLINE_SECONDS = 240;

    private ConcurrentClients() {
    }

    /**
     * Runs every exchange concurrently against {@code server} (TCP, or an AF_UNIX socket file); returns the clients'
     * local ports (the server sees them as remote ports; -1 for AF_UNIX). Fails with the first error, naming the
     * connection and the seed.
     */
    public static List<Integer> run(SocketAddress server, List<Exchange> exchanges, Seed seed, int maxChunk)
            throws IOException, InterruptedException {
        return run(server, exchanges, seed, maxChunk, () -> { });
    }

    /** Waits before a client starts reading: lets a test make clients lag behind their own writes. */
    public interface Gate {
        void await() throws InterruptedException;
    }

    /** As {@link #run(SocketAddress, List, Seed, int)}, each reader first passing {@code beforeReading}. */
    public static List<Integer> run(SocketAddress server, List<Exchange> exchanges, Seed seed, int maxChunk,
                                    Gate beforeReading) throws IOException, InterruptedException {
        return run(server, exchanges, seed, maxChunk, beforeReading, Loopback::connect);
    }

    /** How a client opens its socket: {@link Loopback#connect}, or a TLS socket over it. */
    public interface Opener {
        Socket open(InetSocketAddress server) throws IOException;
    }

    /** As {@link #run(SocketAddress, List, Seed, int, Gate)}, each TCP socket opened by {@code opener} (e.g. TLS). */
    public static List<Integer> run(SocketAddress server, List<Exchange> exchanges, Seed seed, int maxChunk,
                                    Gate beforeReading, Opener opener) throws IOException, InterruptedException {
        List<Client> sockets = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(2 * exchanges.size(), r -> {
            Thread t = new Thread(r, "test-client");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> work = new ArrayList<>();
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < exchanges.size(); i++) {
                Client socket = Client.connect(server, opener);
                sockets.add(socket);
                ports.add(socket.localPort());
                Exchange exchange = exchanges.get(i);
                String what = "connection " + i + " to " + server + ", " + seed;
                Random writes = seed.random(1000 + i);
                Random reads = seed.random(2000 + i);
                work.add(threads.submit(task(() ->
                        RandomChunks.write(socket.out(), exchange.request(), writes, maxChunk))));
                work.add(threads.submit(task(() -> {
                    beforeReading.await();
                    RandomChunks.readAndCheck(socket.in(), exchange.expectedReply(), reads, maxChunk, what);
                    socket.shutdownOutput();
                    Loopback.assertEof(socket.in(), what);
                })));
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
            for (Future<?> f : work) {
                try {
                    f.get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    throw new AssertionError(e.getCause().getMessage() + " (" + seed + ")", e.getCause());
                } catch (TimeoutException e) {
                    throw new AssertionError("clients did not finish within " + DEADLINE_SECONDS + " s (" + seed + ")");
                }
            }
            return ports;
        } finally {
            for (Client s : sockets) {
                s.close(); // also unblocks any thread still reading or writing after a failure
            }
            threads.shutdownNow();
            threads.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** One client connection, TCP or AF_UNIX. */
    private record Client(Closeable closeable, InputStream in, OutputStream out, int localPort, Halfclose halfclose)
            implements Closeable {
        interface Halfclose {
            void run() throws IOException;
        }

        static Client connect(SocketAddress server, Opener opener) throws IOException {
            if (server instanceof UnixDomainSocketAddress unix) {
                UnixSockets.Peer peer = UnixSockets.connect(unix.getPath());
                return new Client(peer, peer.in(), peer.out(), -1, peer::shutdownOutput);
            }
            Socket socket = opener.open((InetSocketAddress) server);
            return new Client(socket, socket.getInputStream(), socket.getOutputStream(), socket.getLocalPort(),
                    socket::shutdownOutput);
        }

        void shutdownOutput() throws IOException {
            halfclose.run();
        }

        @Override
        public void close() throws IOException {
            closeable.close();
        }
    }

    private interface IoTask {
        void run() throws IOException, InterruptedException;
    }

    private static Callable<Void> task(IoTask body) {
        return () -> {
            body.run();
            return null;
        };
    }
}
