package nioreactor.server;

import java.nio.ByteBuffer;
import nioreactor.reactor.Connection;
import nioreactor.reactor.StreamHandler;

/**
 * The seed's TCP server, {@code conn.send(msg.upper())}, done right: every byte is answered as soon as it arrives,
 * upper-cased in place in the reactor's read buffer (large reads through {@link BulkUpper}, which is faster there) and
 * written straight from it. No per-connection state, so one instance serves every connection; a reply costs no copy
 * unless the client is slow to read (then the write queue copies the rest).
 */
public final class UpperEcho implements StreamHandler {
    public static final UpperEcho INSTANCE = new UpperEcho();

    private UpperEcho() {
    }

    @Override
    public void onData(Connection connection, ByteBuffer data) {
        BulkUpper.inPlace(data, data.position(), data.limit());
        connection.send(data);
    }
}
