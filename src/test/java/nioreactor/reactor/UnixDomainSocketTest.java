package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import nioreactor.testing.Eventually;
import nioreactor.testing.UnixSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * AF_UNIX through the library's public API alone: {@link Reactor#listen} and {@link Reactor#connect} with a
 * {@link UnixDomainSocketAddress}, and the socket file's life (stale and live files, bad paths, removal on close).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UnixDomainSocketTest {
    private final List<String> trace = new CopyOnWriteArrayList<>();
    private Reactor reactor;
    private Path dir;

    @BeforeEach
    void start() {
        dir = UnixSockets.shortDir();
        reactor = Reactor.builder().name("unix-test").trace(Trace.to(trace::add)).build();
        reactor.start();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            reactor.stop();
            reactor.awaitTermination(Duration.ofSeconds(10));
        } finally {
            UnixSockets.deleteTree(dir);
        }
    }

    /** Echoes every byte back, and remembers what each accepted connection said about itself. */
    private final List<String> accepted = new CopyOnWriteArrayList<>();

    private StreamHandler echo() {
        return new StreamHandler() {
            @Override
            public void onOpen(Connection c) {
                accepted.add(c.family() + " " + c.peer());
            }

            @Override
            public void onData(Connection c, ByteBuffer data) {
                c.send(data);
            }
        };
    }

    private Listener listen(Path path) throws Exception {
        return reactor.listen("echo", UnixDomainSocketAddress.of(path), Limits.DEFAULTS, this::echo)
                .get(10, TimeUnit.SECONDS);
    }

    private static Throwable bindFailure(CompletableFuture<Listener> bind) {
        try {
            bind.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the bind succeeded");
    }

    @Test
    void aReactorConnectionTalksToAReactorListenerOverAUnixSocket() throws Exception {
        Path path = dir.resolve("echo.sock");
        Listener listener = listen(path);
        assertThat(listener.address()).isEqualTo(UnixDomainSocketAddress.of(path));
        assertThat(Files.getAttribute(path, "unix:mode")).as("a socket file").matches(m -> ((int) m & 0170000) == 0140000);

        CompletableFuture<String> answer = new CompletableFuture<>();
        StringBuilder got = new StringBuilder();
        StreamHandler client = new StreamHandler() {
            @Override
            public void onOpen(Connection c) {
                c.send(ByteBuffer.wrap("over the file system".getBytes(StandardCharsets.US_ASCII)));
            }

            @Override
            public void onData(Connection c, ByteBuffer data) {
                got.append(StandardCharsets.US_ASCII.decode(data));
                if (got.length() == "over the file system".length()) {
                    answer.complete(got.toString());
                    c.closeAfterFlush(CloseReason.PEER_EOF);
                }
            }
        };
        Connection outbound = reactor.connect(UnixDomainSocketAddress.of(path), Limits.DEFAULTS, Duration.ofSeconds(5),
                client).get(10, TimeUnit.SECONDS);
        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("over the file system");

        assertThat(outbound.family()).isEqualTo(StandardProtocolFamily.UNIX);
        assertThat(outbound.peer()).isEqualTo("unix " + path);
        // The accepted side: its client bound no path, so the peer is named by the listener's socket file.
        assertThat(accepted).containsExactly("UNIX unix " + path);
        assertThat(trace).anyMatch(l -> l.matches("accept #\\d+ from unix " + path + " on echo"));
        assertThat(trace).anyMatch(l -> l.matches("connected #\\d+ to unix " + path));

        ReactorStats stats = reactor.stats();
        assertThat(stats.connectionsAcceptedUnix()).isEqualTo(1);
        assertThat(stats.connectionsAccepted()).isEqualTo(1);
        assertThat(stats.connectionsConnected()).isEqualTo(1);
        Eventually.until(() -> reactor.stats().connectionsActive() == 0, () -> "both ends closed");
        assertThat(reactor.stats().connectionsActiveUnix()).isZero();
    }

    @Test
    void theSocketFileIsRemovedWhenTheListenerClosesAndAtShutdown() throws Exception {
        Path first = dir.resolve("a.sock");
        Path second = dir.resolve("b.sock");
        Listener a = listen(first);
        listen(second);
        a.close();
        Eventually.until(() -> !Files.exists(first), () -> first + " removed after close");
        assertThat(second).exists();
        reactor.shutdownGracefully(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        assertThat(second).as("removed at shutdown").doesNotExist();
    }

    @Test
    void aStaleSocketFileIsRemovedAndTheBindGoesAhead() throws Exception {
        Path path = dir.resolve("stale.sock");
        // What a killed server leaves: the file of a socket nobody listens on any more.
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(path));
        dead.close();
        assertThat(path).exists();

        listen(path);
        try (UnixSockets.Peer peer = UnixSockets.connect(path)) {
            peer.out().write("still here".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(peer.in().readNBytes(10), StandardCharsets.US_ASCII)).isEqualTo("still here");
        }
    }

    @Test
    void aLiveSocketFileIsNeverRemoved() throws Exception {
        Path path = dir.resolve("live.sock");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(path));
            Object inode = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

            Throwable e = bindFailure(reactor.listen("echo", UnixDomainSocketAddress.of(path), Limits.DEFAULTS, this::echo));
            assertThat(e).isInstanceOf(BindException.class)
                    .hasMessage(path + ": another server is listening there; not removing it");
            assertThat(Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                    .as("the other server's file, untouched").isEqualTo(inode);
            // And the other server still gets its connections.
            try (UnixSockets.Peer peer = UnixSockets.connect(path)) {
                assertThat(peer.channel().isConnected()).isTrue();
                assertThat(other.accept()).isNotNull();
            }
        }
    }

    @Test
    void aFileThatIsNotASocketIsNeverRemoved() throws Exception {
        Path path = Files.writeString(dir.resolve("notes.txt"), "precious");
        Throwable e = bindFailure(reactor.listen("echo", UnixDomainSocketAddress.of(path), Limits.DEFAULTS, this::echo));
        assertThat(e).isInstanceOf(BindException.class).hasMessage(path + ": exists and is not a socket; not removing it");
        assertThat(Files.readString(path)).isEqualTo("precious");
    }

    @Test
    void aPathOverThePlatformLimitIsRefusedBeforeAnyBind() throws Exception {
        // 106 bytes is the longest the JDK binds (sun_path is 108 with its NUL); one more must fail, and clearly.
        String prefix = dir + "/";
        Path longest = Path.of(prefix + "x".repeat(106 - prefix.length()));
        Path tooLong = Path.of(prefix + "y".repeat(107 - prefix.length()));
        listen(longest).close();

        Throwable e = bindFailure(reactor.listen("echo", UnixDomainSocketAddress.of(tooLong), Limits.DEFAULTS, this::echo));
        assertThat(e).isInstanceOf(BindException.class)
                .hasMessage(tooLong + ": too long for a Unix domain socket: 107 bytes, at most 106"
                        + " (sun_path is 108 bytes on Linux, NUL included)");
        assertThat(tooLong).doesNotExist();
    }

    @Test
    void aMissingOrUnwritableDirectoryIsNamed() throws Exception {
        Path missing = dir.resolve("nowhere/x.sock");
        assertThat(bindFailure(reactor.listen("echo", UnixDomainSocketAddress.of(missing), Limits.DEFAULTS, this::echo)))
                .isInstanceOf(BindException.class)
                .hasMessage(missing + ": directory " + dir.resolve("nowhere") + " does not exist");

        Path notADir = Files.writeString(dir.resolve("file"), "");
        assertThat(bindFailure(reactor.listen("echo", UnixDomainSocketAddress.of(notADir.resolve("x.sock")),
                Limits.DEFAULTS, this::echo)))
                .hasMessage(notADir.resolve("x.sock") + ": " + notADir + " is not a directory");

        // /proc/self cannot be written even by root (who may write a read-only-mode directory of its own).
        Path proc = Path.of("/proc/self/x.sock");
        assertThat(bindFailure(reactor.listen("echo", UnixDomainSocketAddress.of(proc), Limits.DEFAULTS, this::echo)))
                .isInstanceOf(BindException.class)
                .hasMessageStartingWith(proc + ": directory /proc/self cannot be written");

        Path readOnly = Files.createDirectory(dir.resolve("ro"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("r-xr-xr-x")));
        if (!Files.isWritable(readOnly)) { // not root: the everyday case of a directory one may not write
            assertThat(bindFailure(reactor.listen("echo", UnixDomainSocketAddress.of(readOnly.resolve("x.sock")),
                    Limits.DEFAULTS, this::echo)))
                    .hasMessageStartingWith(readOnly.resolve("x.sock") + ": directory " + readOnly + " cannot be written");
        }
    }

    @Test
    void aConnectToAMissingSocketFailsTheFutureAndTellsTheHandler() throws Exception {
        Path nobody = dir.resolve("nobody.sock");
        CompletableFuture<IOException> told = new CompletableFuture<>();
        StreamHandler handler = new StreamHandler() {
            @Override
            public void onData(Connection c, ByteBuffer data) {
            }

            @Override
            public void onConnectFailed(java.net.SocketAddress remote, IOException cause) {
                told.complete(cause);
            }
        };
        CompletableFuture<Connection> connect = reactor.connect(UnixDomainSocketAddress.of(nobody), Limits.DEFAULTS,
                Duration.ofSeconds(5), handler);
        assertThatThrownBy(() -> connect.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class);
        assertThat(told.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(reactor.stats().connectFailures()).isEqualTo(1);
    }
}
