package nioreactor.kv;

import java.nio.ByteBuffer;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Connection;

/**
 * What a key-value session needs from its connection: a {@link Connection} in the server, a recorder in the
 * parser's property tests (which feed bytes split every possible way, with no sockets in between).
 */
interface Peer {
    /** sendall: {@code bytes} is consumed and may be reused on return. */
    void send(ByteBuffer bytes);

    /** False while the replies queued exceed the high water mark. */
    boolean isWritable();

    void closeAfterFlush(CloseReason reason);

    /** Runs {@code task} on the session's thread, after the current callback. */
    void later(Runnable task);

    /** For log lines: which connection and from where. */
    String describe();

    static Peer of(Connection c) {
        return new Peer() {
            @Override
            public void send(ByteBuffer bytes) {
                c.send(bytes);
            }

            @Override
            public boolean isWritable() {
                return c.isWritable();
            }

            @Override
            public void closeAfterFlush(CloseReason reason) {
                c.closeAfterFlush(reason);
            }

            @Override
            public void later(Runnable task) {
                c.reactor().execute(task);
            }

            @Override
            public String describe() {
                return "#" + c.id() + " from " + c.clientAddress();
            }
        };
    }
}
