package nioreactor.reactor;

import java.nio.ByteBuffer;

/**
 * The two scratch buffers every TLS connection of one reactor shares, the way they share the plaintext read buffer:
 * ciphertext is read into the reactor's read buffer and unwrapped into {@link #app}; plaintext is wrapped into
 * {@link #packet} and written from there (the write queue copies only what the socket does not take). So an idle TLS
 * connection holds no buffer; one keeps bytes of its own only while a record is split across reads, or while output
 * is pending.
 *
 * <p>Neither buffer is held across a handler callback by the code that fills it, except {@link #app} during the
 * {@code onData} it is handed to; a handler there may send to any connection, which wraps into {@link #packet}. Reactor
 * thread only. Allocated on the first TLS connection, so a reactor without TLS pays nothing.
 */
final class TlsBuffers {
    /** Records wrapped into the packet buffer before one socket write: a 64 KiB send is one syscall, not four. */
    private static final int RECORDS_PER_WRITE = 4;

    private final int readBufferSize;
    private ByteBuffer packet;
    private ByteBuffer app;

    TlsBuffers(int readBufferSize) {
        this.readBufferSize = readBufferSize;
    }

    /**
     * Where wrap writes ciphertext: room for several records of {@code packetSize}. On the heap, like the application
     * buffer: the JDK's AES-GCM works on arrays, and with direct buffers it copies in and out of arrays of its own;
     * measured, heap buffers made the 16 KiB TLS echo 1.23x Netty's SslHandler where direct ones were slower than it
     * (bench/RESULTS.md). The socket write then copies into the JDK's cached direct buffer once, as Netty's does.
     */
    ByteBuffer packet(int packetSize) {
        int need = RECORDS_PER_WRITE * packetSize;
        if (packet == null || packet.capacity() < need) {
            packet = ByteBuffer.allocate(need);
        }
        return packet;
    }

    /**
     * Where unwrap writes plaintext. Each record's plaintext is shorter than its ciphertext, so one read buffer's
     * worth of records (plus one application buffer, the engine's own margin) always fits, and a handler gets all the
     * plaintext of one socket read in one {@code onData}, as over plaintext. On the heap (see {@link #packet}).
     */
    ByteBuffer app(int appSize) {
        int need = readBufferSize + appSize;
        if (app == null || app.capacity() < need) {
            app = ByteBuffer.allocate(need);
        }
        return app;
    }

    /** A bigger application buffer, after the engine said BUFFER_OVERFLOW on an empty one. */
    ByteBuffer growApp() {
        app = ByteBuffer.allocate(app.capacity() * 2);
        return app;
    }

    /** A bigger packet buffer, after the engine said BUFFER_OVERFLOW on an empty one. */
    ByteBuffer growPacket() {
        packet = ByteBuffer.allocate(packet.capacity() * 2);
        return packet;
    }
}
