package nioreactor.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's TCP server ({@code conn.recv}, {@code conn.send(msg.upper())}) made concurrent the classic way: a plain
 * {@link ServerSocket}, one thread per connection, blocking reads and writes. It is the peer that shows what the
 * reactor buys, so it is written fairly: Nagle off, a 16 KiB buffer per connection, and in framed mode replies are
 * buffered and flushed only when no more request bytes are waiting (one write per burst of pipelined frames).
 *
 * <p>Raw mode answers each read with the same bytes upper-cased; framed mode answers each frame (4-byte big-endian
 * length, payload) with a frame of the same length. Threads are platform threads, or virtual threads on JDK 21+.
 */
public final class BlockingUpperServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BlockingUpperServer.class);
    private static final int BUFFER = 16 * 1024;
    private static final int MAX_FRAME = 1024 * 1024;

    private final ServerSocket listener;
    private final boolean framed;
    private final ExecutorService connectionThreads;
    private final Thread acceptThread;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger live = new AtomicInteger();
    private volatile boolean closed;

    private BlockingUpperServer(ServerSocket listener, boolean framed, boolean virtualThreads) {
        this.listener = listener;
        this.framed = framed;
        this.connectionThreads = ConnectionThreads.perTask(virtualThreads, "blocking-conn-");
        this.acceptThread = new Thread(this::acceptLoop, "blocking-accept");
        this.acceptThread.setDaemon(true);
    }

    /**
     * Binds (port 0: ephemeral) and starts accepting. {@code virtualThreads} needs JDK 21+ and throws
     * {@link UnsupportedOperationException} on older JVMs.
     */
    public static BlockingUpperServer start(InetSocketAddress bind, boolean framed, boolean virtualThreads)
            throws IOException {
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(bind, 1024);
            BlockingUpperServer server = new BlockingUpperServer(listener, framed, virtualThreads);
            server.acceptThread.start();
            return server;
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** Threads serving connections now, plus the accepting thread. */
    public int liveThreads() {
        return live.get() + (acceptThread.isAlive() ? 1 : 0);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("blocking server: accept failed: {}", e.toString());
                }
                continue;
            }
            open.add(socket);
            try {
                connectionThreads.execute(() -> serve(socket));
            } catch (RuntimeException e) { // rejected: we are closing
                forget(socket);
            }
        }
    }

    private void serve(Socket socket) {
        live.incrementAndGet();
        try {
            socket.setTcpNoDelay(true);
            if (framed) {
                serveFramed(socket.getInputStream(), socket.getOutputStream());
            } else {
                serveRaw(socket.getInputStream(), socket.getOutputStream());
            }
        } catch (EOFException | SocketException e) {
            log.debug("blocking server: connection ended: {}", e.toString());
        } catch (IOException e) {
            log.debug("blocking server: connection failed: {}", e.toString());
        } finally {
            live.decrementAndGet();
            forget(socket);
        }
    }

    private static void serveRaw(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[BUFFER];
        int n;
        while ((n = in.read(buf)) > 0) {
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b >= 'a' && b <= 'z') {
                    buf[i] = (byte) (b - 32);
                }
            }
            out.write(buf, 0, n);
        }
    }

    private static void serveFramed(InputStream rawIn, OutputStream rawOut) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(rawIn, BUFFER);
        DataInputStream in = new DataInputStream(buffered);
        BufferedOutputStream out = new BufferedOutputStream(rawOut, BUFFER);
        byte[] payload = new byte[BUFFER];
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (EOFException e) {
                return; // the client closed between frames
            }
            if (length < 0 || length > MAX_FRAME) {
                throw new IOException("frame length " + (length & 0xFFFF_FFFFL) + " over " + MAX_FRAME);
            }
            if (length > payload.length) {
                payload = new byte[length];
            }
            in.readFully(payload, 0, length);
            for (int i = 0; i < length; i++) {
                byte b = payload[i];
                if (b >= 'a' && b <= 'z') {
                    payload[i] = (byte) (b - 32);
                }
            }
            out.write(length >>> 24);
            out.write(length >>> 16);
            out.write(length >>> 8);
            out.write(length);
            out.write(payload, 0, length);
            if (buffered.available() == 0) {
                out.flush(); // nothing more pipelined behind this frame: answer now
            }
        }
    }

    private void forget(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Stops accepting, closes every connection (their threads end on the error) and waits briefly for them. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            forget(s);
        }
        connectionThreads.shutdown();
        try {
            acceptThread.join(5_000);
            connectionThreads.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
