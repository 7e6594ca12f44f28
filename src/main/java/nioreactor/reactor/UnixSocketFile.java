package nioreactor.reactor;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file behind an AF_UNIX listener, which the kernel creates at {@code bind} and never removes: a killed server
 * leaves it behind, and the next bind fails with "address already in use" although nobody listens. A {@link Listener}
 * bound to a {@link UnixDomainSocketAddress} owns one of these: before the bind it checks the path (length, directory)
 * and removes a stale file (one that refuses connections), never a live one; when the listener closes it deletes the
 * file it created, and only that one. Reactor thread only.
 */
final class UnixSocketFile {
    private static final Logger log = LoggerFactory.getLogger(UnixSocketFile.class);

    /**
     * The longest path the JDK binds: Linux's {@code sun_path} is 108 bytes with the terminating NUL, and JDK 17
     * refuses anything over 106 ("Unix domain path too long"). Checked here first, to say which path and why.
     */
    static final int MAX_PATH_BYTES = 106;
    /** S_IFMT and S_IFSOCK of {@code st_mode}: is this file a socket? */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path path;
    /** The inode of the file our bind created, so close never deletes a file somebody else put there later. */
    private Object fileKey;

    private UnixSocketFile(Path path) {
        this.path = path;
    }

    /**
     * Checks {@code address} before a bind and clears away a stale socket file. Fails with a {@link BindException}
     * whose message starts with the path ({@code "/run/x.sock: directory /run does not exist"}) when it is too long,
     * its directory is missing or not writable, or the file exists and is not a stale socket.
     */
    static UnixSocketFile prepare(UnixDomainSocketAddress address) throws IOException {
        Path path = address.getPath();
        int bytes = path.toString().getBytes(pathCharset()).length;
        if (bytes == 0) {
            throw new BindException("an empty path cannot be bound (Linux's abstract namespace is not supported)");
        }
        if (bytes > MAX_PATH_BYTES) {
            throw new BindException(path + ": too long for a Unix domain socket: " + bytes + " bytes, at most "
                    + MAX_PATH_BYTES + " (sun_path is 108 bytes on Linux, NUL included)");
        }
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            if (!Files.exists(dir)) {
                throw new BindException(path + ": directory " + dir + " does not exist");
            }
            if (!Files.isDirectory(dir)) {
                throw new BindException(path + ": " + dir + " is not a directory");
            }
            if (!Files.isWritable(dir)) {
                throw new BindException(path + ": directory " + dir + " cannot be written (the socket file is created there)");
            }
        }
        UnixSocketFile file = new UnixSocketFile(path);
        file.removeIfStale();
        return file;
    }

    /** The file exists: remove it if it is a socket nobody listens on; refuse if it is anything else. */
    private void removeIfStale() throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return; // the usual case: nothing there
        }
        if (!isSocket(attributes)) {
            throw new BindException(path + ": exists and is not a socket; not removing it");
        }
        // A non-blocking connect: a live server whose backlog is full must not block the reactor thread.
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
            // Connected, or pending: somebody accepts connections there.
            throw new BindException(path + ": another server is listening there; not removing it");
        } catch (ConnectException refused) {
            // ECONNREFUSED: a socket file whose server is gone. Fall through and remove it.
        } catch (BindException live) {
            throw live;
        } catch (IOException e) {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                return; // removed by someone else meanwhile
            }
            throw new BindException(path + ": exists and cannot be probed (" + e.getMessage() + "); not removing it");
        }
        Files.deleteIfExists(path);
        log.info("removed the stale socket file {} (a connect to it was refused: its server is gone)", path);
    }

    private boolean isSocket(BasicFileAttributes attributes) throws IOException {
        if (!attributes.isOther()) {
            return false; // a regular file, a directory or a link: never ours to delete
        }
        try {
            Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer m && (m & S_IFMT) == S_IFSOCK;
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return true; // no "unix" view: a device or fifo also refuses a connect, and deleting one needs rights anyway
        }
    }

    /** The bind succeeded: remembers which file it created. */
    void bound() {
        try {
            fileKey = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            fileKey = null;
        }
    }

    /** Deletes the socket file if it is still the one our bind created. Never throws: the listener is closing. */
    void delete() {
        try {
            Object now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (fileKey != null && !Objects.equals(fileKey, now)) {
                log.debug("{} is no longer the socket file this listener created; leaving it", path);
                return;
            }
            Files.deleteIfExists(path);
        } catch (NoSuchFileException gone) {
            // removed already
        } catch (IOException e) {
            log.warn("cannot remove the socket file {}: {}", path, e.toString());
        }
    }

    Path path() {
        return path;
    }

    /** How the JDK turns a path into {@code sun_path} bytes. */
    private static Charset pathCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
