package nioreactor.reactor;

import java.nio.ByteBuffer;

/** A TCP protocol: what a connection does with the bytes it reads. Runs on the reactor thread. */
public interface StreamHandler {

    /**
     * Bytes just read, between {@code data}'s position and limit. {@code data} is the reactor's shared read buffer:
     * it may be changed in place and passed to {@link Connection#send}, but it is reused as soon as this returns.
     */
    void onData(Connection connection, ByteBuffer data);

    /** When the peer closes now, what is lost: e.g. "partial frame (12 of 100 bytes)"; null when nothing is. */
    default String partialMessage() {
        return null;
    }
}
