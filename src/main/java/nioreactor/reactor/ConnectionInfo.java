package nioreactor.reactor;

import java.net.SocketAddress;

/**
 * What one connection looked like at one moment: the dashboard's row. Made on the reactor thread by
 * {@link Connection#info()} or {@link Reactor#connectionInfos()}, so its numbers agree with each other; immutable, read
 * it on any thread.
 *
 * @param id               the connection's {@code #id}, unique within its reactor
 * @param service          the listener's service name, or {@code outbound}
 * @param reactor          the name of the reactor that owns it
 * @param remoteAddress    the peer's address (for an AF_UNIX peer usually an empty path: see {@code peer})
 * @param peer             the other end with its family, as {@link Connection#peer()} names it:
 *                         {@code tcp 127.0.0.1:5000}, or {@code unix /run/app.sock} (the socket file)
 * @param state            where it is in its life
 * @param readInterest     OP_READ is in its interest set: the selector will report it readable
 * @param writeInterest    OP_WRITE is in its interest set: output is pending and waits for room in the socket
 * @param pendingBytes     output queued and not yet taken by the socket
 * @param highWater        its high water mark: above it, reading stops (PAUSED)
 * @param lowWater         its low water mark: under it, a paused connection reads again
 * @param bytesRead        bytes read from it since it opened
 * @param bytesWritten     bytes written to it since it opened
 * @param ageNanos         how long it has been open
 * @param sinceProgressNanos how long since a read or a write last moved bytes (the age, if none ever did)
 */
public record ConnectionInfo(long id, String service, String reactor, SocketAddress remoteAddress, String peer,
                             ConnectionState state, boolean readInterest, boolean writeInterest, long pendingBytes,
                             long highWater, long lowWater, long bytesRead, long bytesWritten, long ageNanos,
                             long sinceProgressNanos) {
}
