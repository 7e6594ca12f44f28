package nioreactor.client;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * How the blocking clients open their connection: a TCP {@link Socket} for an {@link InetSocketAddress}, an AF_UNIX
 * {@link SocketChannel} for a {@link UnixDomainSocketAddress}. Either way the client sees two streams, and a read
 * that waits longer than {@link Timeouts#read()} throws {@link SocketTimeoutException}.
 */
abstract class ClientSocket implements Closeable {

    abstract InputStream in();

    abstract OutputStream out();

    abstract SocketAddress remoteAddress();

    /** {@code tls} (may be null) is for TCP only: the server offers no TLS on its socket files. */
    static ClientSocket open(SocketAddress server, Timeouts timeouts, ClientTls tls) throws IOException {
        if (server instanceof UnixDomainSocketAddress unix) {
            if (tls != null) {
                throw new IllegalArgumentException("TLS is for TCP ports; " + unix.getPath() + " is an AF_UNIX socket file");
            }
            return new Unix(unix, timeouts);
        }
        return new Tcp(TcpConnect.open((InetSocketAddress) server, timeouts, tls));
    }

    private static final class Tcp extends ClientSocket {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Tcp(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        @Override
        InputStream in() {
            return in;
        }

        @Override
        OutputStream out() {
            return out;
        }

        @Override
        SocketAddress remoteAddress() {
            return socket.getRemoteSocketAddress();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * AF_UNIX has no {@link Socket} (the JDK offers it only as a channel, and a channel's socket adaptor is TCP-only),
     * and a blocking channel has no read timeout. A selector would give one, but the reactor is this codebase's only
     * event loop; so a blocking call that outlives its timeout is ended by closing the channel from a watchdog thread,
     * and reported as {@link SocketTimeoutException}. The connection is then closed, which is what every user of
     * these clients does after a timeout anyway.
     */
    private static final class Unix extends ClientSocket {
        private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "unix-client-timeout");
            t.setDaemon(true);
            return t;
        });

        private final UnixDomainSocketAddress server;
        private final SocketChannel channel;
        private final int readMillis;
        /** Set by a watchdog that closed the channel: every later failure of this connection is that timeout. */
        private volatile boolean timedOut;
        private final InputStream in = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                return timed(readMillis, () -> channel.read(ByteBuffer.wrap(b, off, len)),
                        "no answer from " + server + " within " + readMillis + " ms");
            }
        };
        private final OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    channel.write(buf); // like a blocking socket's write: no timeout
                }
            }
        };

        Unix(UnixDomainSocketAddress server, Timeouts timeouts) throws IOException {
            this.server = server;
            this.readMillis = timeouts.readMillis();
            this.channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                // Blocks only while the server's backlog is full.
                timed(timeouts.connectMillis(), () -> channel.connect(server) ? 1 : 0,
                        "connect to " + server + " timed out");
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        private interface Io {
            int run() throws IOException;
        }

        /** Runs a blocking call, closing the channel if it takes longer than {@code millis} (0: no limit). */
        private int timed(int millis, Io call, String timeoutMessage) throws IOException {
            if (millis == 0) {
                return call.run();
            }
            ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
                timedOut = true;
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing is all the watchdog can do
                }
            }, millis, TimeUnit.MILLISECONDS);
            try {
                return call.run();
            } catch (ClosedChannelException e) { // AsynchronousCloseException when the watchdog closed it mid-call
                if (timedOut) {
                    throw new SocketTimeoutException(timeoutMessage);
                }
                throw e;
            } finally {
                watchdog.cancel(false);
            }
        }

        @Override
        InputStream in() {
            return in;
        }

        @Override
        OutputStream out() {
            return out;
        }

        @Override
        SocketAddress remoteAddress() {
            return server;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
