package nioreactor.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * AF_UNIX for tests: short socket directories, and a blocking client whose streams may be used by a reader thread and
 * a writer thread at once ({@code Channels.newInputStream} and {@code newOutputStream} share one lock in JDK 17, so a
 * blocked read would block the write).
 */
public final class UnixSockets {
    private UnixSockets() {
    }

    /**
     * A fresh directory directly under /tmp: a socket path must stay under 107 bytes, and a {@code @TempDir} (under
     * java.io.tmpdir, which may be long) does not promise that. Delete it with {@link #deleteTree}.
     */
    public static Path shortDir() {
        try {
            return Files.createTempDirectory(Path.of("/tmp"), "nr-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                p.toFile().setWritable(true);
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Peer connect(Path path) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(path));
            return new Peer(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** A connected blocking AF_UNIX client. */
    public static final class Peer implements java.io.Closeable {
        private final SocketChannel channel;
        private final InputStream in;
        private final OutputStream out;

        private Peer(SocketChannel channel) {
            this.channel = channel;
            this.in = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, len));
                }
            };
            this.out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                    while (buf.hasRemaining()) {
                        channel.write(buf);
                    }
                }
            };
        }

        public InputStream in() {
            return in;
        }

        public OutputStream out() {
            return out;
        }

        public SocketChannel channel() {
            return channel;
        }

        public void shutdownOutput() throws IOException {
            channel.shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
