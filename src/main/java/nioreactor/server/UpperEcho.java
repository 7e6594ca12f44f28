package nioreactor.server;

import java.nio.ByteBuffer;
import java.util.function.Supplier;
import nioreactor.reactor.Connection;
import nioreactor.reactor.StreamHandler;

/**
 * The seed's TCP server, {@code conn.send(msg.upper())}, done right: every byte is answered as soon as it arrives,
 * upper-cased in place in the reactor's read buffer (large reads through {@link BulkUpper}, which is faster there) and
 * written straight from it. No per-connection state, so one instance serves every connection of a reactor; a reply
 * costs no copy unless the client is slow to read (then the write queue copies the rest).
 */
public final class UpperEcho implements StreamHandler {
    /** Scratch space for large reads; reactor-thread state, like the read buffer it works on. */
    private final BulkUpper bulk;

    public UpperEcho() {
        this(new BulkUpper());
    }

    UpperEcho(BulkUpper bulk) {
        this.bulk = bulk;
    }

    /** One echo for every connection of one reactor (its scratch space belongs to that reactor's thread). */
    public static Supplier<StreamHandler> forOneReactor() {
        UpperEcho echo = new UpperEcho();
        return () -> echo;
    }

    @Override
    public void onData(Connection connection, ByteBuffer data) {
        bulk.inPlace(data, data.position(), data.limit());
        connection.send(data);
    }
}
