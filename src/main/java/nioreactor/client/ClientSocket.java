package nioreactor.client;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * How the blocking clients open their connection: a TCP {@link Socket} for an {@link InetSocketAddress}, an AF_UNIX
 * {@link SocketChannel} for a {@link UnixDomainSocketAddress}. Either way the client sees two streams, and a read
 * that waits longer than {@link Timeouts#read()} throws {@link SocketTimeoutException}.
 */
abstract class ClientSocket implements Closeable {

    abstract InputStream in();

    abstract OutputStream out();

    abstract SocketAddress remoteAddress();

    static ClientSocket open(SocketAddress server, Timeouts timeouts) throws IOException {
        if (server instanceof UnixDomainSocketAddress unix) {
            return new Unix(unix, timeouts);
        }
        return new Tcp(TcpConnect.open((InetSocketAddress) server, timeouts));
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
     * and a blocking channel has no read timeout. So the channel is non-blocking, and each wait is a select on a
     * selector of its own, bounded by the timeout: the same behaviour as SO_TIMEOUT on the TCP socket.
     */
    private static final class Unix extends ClientSocket {
        private final UnixDomainSocketAddress server;
        private final SocketChannel channel;
        private final Selector selector;
        private final SelectionKey key;
        private final int readMillis;
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
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (true) {
                    int n = channel.read(buf);
                    if (n != 0) {
                        return n;
                    }
                    if (!await(SelectionKey.OP_READ, readMillis)) {
                        throw new SocketTimeoutException("no answer from " + server + " within " + readMillis + " ms");
                    }
                }
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
                    if (channel.write(buf) == 0) {
                        await(SelectionKey.OP_WRITE, 0); // like a blocking socket's write: no timeout
                    }
                }
            }
        };

        Unix(UnixDomainSocketAddress server, Timeouts timeouts) throws IOException {
            this.server = server;
            this.readMillis = timeouts.readMillis();
            this.channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.configureBlocking(false);
                this.selector = Selector.open();
                this.key = channel.register(selector, 0);
                if (!channel.connect(server)) {
                    // Pending only while the server's backlog is full.
                    if (!await(SelectionKey.OP_CONNECT, timeouts.connectMillis())) {
                        throw new SocketTimeoutException("connect to " + server + " timed out");
                    }
                    channel.finishConnect();
                }
            } catch (ConnectException e) {
                closeQuietly();
                throw new ConnectException(server + ": " + e.getMessage()); // the JDK's message names no path
            } catch (IOException | RuntimeException e) {
                closeQuietly();
                throw e;
            }
        }

        /** Waits until the channel is ready for {@code op}; false after {@code millis} (0: forever) without. */
        private boolean await(int op, int millis) throws IOException {
            key.interestOps(op);
            int ready = millis == 0 ? selector.select() : selector.select(millis);
            selector.selectedKeys().clear();
            key.interestOps(0);
            return ready > 0;
        }

        private void closeQuietly() {
            try {
                close();
            } catch (IOException ignored) {
                // already failing
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
            try {
                if (selector != null) {
                    selector.close();
                }
            } finally {
                channel.close();
            }
        }
    }
}
