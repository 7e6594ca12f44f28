package nioreactor.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * A service could not bind its port or socket path (usually: another process holds it). Carries what a user needs to
 * fix it: which service, which protocol, which address; the cause is the JDK's {@link java.net.BindException} or
 * similar.
 */
public final class ServiceBindException extends IOException {
    private final String service;
    private final String protocol;
    private final InetSocketAddress address;
    private final Path path;
    private final String reason;

    public ServiceBindException(String service, String protocol, InetSocketAddress address, IOException cause) {
        this(service, protocol, (SocketAddress) address, cause);
    }

    /** For a TCP or UDP address, or (protocol {@code "unix"}) a {@link UnixDomainSocketAddress}. */
    public ServiceBindException(String service, String protocol, SocketAddress address, IOException cause) {
        super("cannot bind " + service + " to " + protocol + " " + where(address) + ": " + reason(address, cause), cause);
        this.reason = reason(address, cause);
        this.service = service;
        this.protocol = protocol;
        this.address = address instanceof InetSocketAddress inet ? inet : null;
        this.path = address instanceof UnixDomainSocketAddress unix ? unix.getPath() : null;
    }

    /** The cause's message, without the path it may start with (the library's AF_UNIX messages do). */
    private static String reason(SocketAddress address, IOException cause) {
        String message = String.valueOf(cause.getMessage());
        String prefix = where(address) + ": ";
        return address instanceof UnixDomainSocketAddress && message.startsWith(prefix)
                ? message.substring(prefix.length()) : message;
    }

    /** {@code host:port}, or the socket file's path. */
    static String where(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getHostString() + ":" + inet.getPort();
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            return unix.getPath().toString();
        }
        return String.valueOf(address);
    }

    /** e.g. "upper-echo", "time", "metrics". */
    public String service() {
        return service;
    }

    /** "tcp", "udp" or "unix". */
    public String protocol() {
        return protocol;
    }

    /** Why, as the cause says it: e.g. "Address already in use", or "another server is listening there; ...". */
    public String reason() {
        return reason;
    }

    /** The TCP or UDP address, or null for an AF_UNIX listener. */
    public InetSocketAddress address() {
        return address;
    }

    /** The AF_UNIX socket path, or null for TCP and UDP. */
    public Path path() {
        return path;
    }

    /** {@code host:port} or the socket path, as the message shows it. */
    public String where() {
        return where(address != null ? address : UnixDomainSocketAddress.of(path));
    }
}
