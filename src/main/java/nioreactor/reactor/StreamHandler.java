package nioreactor.reactor;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A TCP protocol: what one connection does with its bytes and its life. Implement {@link #onData}; the other callbacks
 * have empty defaults.
 *
 * <p>Every callback runs on the connection's reactor thread, one at a time, so a handler needs no locks. A callback
 * must not block: while it runs, no other connection of that reactor is served. An exception thrown from a callback
 * closes that connection only ({@link CloseReason#HANDLER_ERROR}), and is logged; the reactor goes on.
 *
 * <p>A listener gets its handlers from a factory, once per connection, so a handler may keep per-connection state
 * (a frame decoder, a nick name); a stateless handler may be one instance shared by all.
 */
public interface StreamHandler {

    /**
     * The connection is open and registered: accepted by a listener, or connected by {@link Reactor#connect}. A
     * greeting sent from here goes out before anything else.
     *
     * @param connection the new connection
     */
    default void onOpen(Connection connection) {
    }

    /**
     * Bytes just read, between {@code data}'s position and limit. {@code data} is the reactor's shared read buffer:
     * the handler may change it in place and pass it to {@link Connection#send}, but it is reused as soon as this
     * returns, so anything kept for later must be copied.
     *
     * @param connection the connection that read them
     * @param data       the bytes; the reactor's shared read buffer
     */
    void onData(Connection connection, ByteBuffer data);

    /**
     * The connection's pending output crossed its high water mark ({@code writable} false: the reactor has stopped
     * reading this connection, so its peer is slowed by TCP flow control) or fell back under its low water mark
     * (true: reading again). A handler that produces output without input (a fan-out, a stream) should stop producing
     * while unwritable.
     *
     * @param connection the connection
     * @param writable   its new {@link Connection#isWritable()}
     */
    default void onWritabilityChanged(Connection connection, boolean writable) {
    }

    /**
     * Everything queued has been written to the socket: pending output went from some to none.
     *
     * @param connection the connection, now with nothing pending
     */
    default void onDrained(Connection connection) {
    }

    /**
     * The connection is closed, for {@code reason}; it will get no more callbacks.
     *
     * @param connection the closed connection
     * @param reason     why it closed
     */
    default void onClose(Connection connection, CloseReason reason) {
    }

    /**
     * An outbound connect made with {@link Reactor#connect} failed: refused, unreachable, or not done within its
     * timeout. The handler gets no other callback. The returned future fails with the same cause.
     * @param remote the address that was to be connected
     * @param cause  why it failed
     */
    default void onConnectFailed(SocketAddress remote, IOException cause) {
    }

    /**
     * When the peer closes now, what is lost: e.g. "partial frame (12 of 100 bytes)", or null when nothing is. Only
     * for the log line that reports a message cut short.
     * @return a description of the message cut short, or null
     */
    default String partialMessage() {
        return null;
    }
}
