package nioreactor.reactor;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A UDP protocol: what a {@link UdpSocket} does with each datagram it receives. Runs on the socket's reactor thread.
 *
 * <p>An exception from {@link #onDatagram} drops that one datagram (counted as dropped, logged); the socket and the
 * reactor go on.
 */
@FunctionalInterface
public interface DatagramHandler {

    /**
     * One whole datagram from {@code from}, between {@code data}'s position and limit. {@code data} is reused as soon
     * as this returns. Answer with {@link UdpSocket#send}.
     *
     * @param socket the socket that received it
     * @param from   the sender, where a reply goes
     * @param data   the datagram
     */
    void onDatagram(UdpSocket socket, SocketAddress from, ByteBuffer data);
}
