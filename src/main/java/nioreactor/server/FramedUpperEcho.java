package nioreactor.server;

import java.nio.ByteBuffer;
import java.time.Duration;
import nioreactor.protocol.FrameDecoder;
import nioreactor.protocol.FrameTooLargeException;
import nioreactor.protocol.Upper;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Connection;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.Stats;
import nioreactor.reactor.StreamHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The framed upper-echo: each frame (4-byte big-endian length, payload) is answered by a frame of the same length
 * holding the upper-cased payload, in order.
 *
 * <p>Because the reply has the request's length, the reply header can go out as soon as the request header is
 * read, and payload bytes can be forwarded as they arrive: nothing is buffered per connection. The replies to all
 * the frames in one read are assembled in the reactor's scratch buffer and written with one syscall, so a client
 * pipelining small frames costs one write per read, not one per frame.
 */
public final class FramedUpperEcho implements StreamHandler, FrameDecoder.Sink {
    private static final Logger log = LoggerFactory.getLogger(FramedUpperEcho.class);

    private final Reactor reactor;
    private final Stats stats;
    private final FrameDecoder decoder;
    private final Duration linger;
    private final BulkUpper bulk;
    /** The reply being assembled during one onData call; null outside it. */
    private ByteBuffer out;

    public FramedUpperEcho(Reactor reactor, int maxFrame, Duration linger) {
        this(reactor, maxFrame, linger, new BulkUpper());
    }

    /** With the reactor's shared {@link BulkUpper}, so its scratch space is not repeated per connection. */
    FramedUpperEcho(Reactor reactor, int maxFrame, Duration linger, BulkUpper bulk) {
        this.reactor = reactor;
        this.stats = reactor.stats();
        this.decoder = new FrameDecoder(maxFrame);
        this.linger = linger;
        this.bulk = bulk;
    }

    @Override
    public void onData(Connection connection, ByteBuffer data) {
        out = reactor.scratch();
        out.clear();
        try {
            decoder.decode(data, this);
            sendAssembled(connection);
        } catch (FrameTooLargeException e) {
            sendAssembled(connection); // replies to the frames before the bad header still go out
            log.warn("#{} from {}: {}; closing the connection after flushing {} reply bytes", connection.id(),
                    connection.remoteAddress(), e.getMessage(), connection.pendingBytes());
            connection.closeAfterFlush(CloseReason.PROTOCOL_ERROR, linger);
        } finally {
            out = null;
        }
    }

    private void sendAssembled(Connection connection) {
        out.flip();
        if (out.hasRemaining()) {
            connection.send(out);
        }
    }

    @Override
    public void frameStart(int length) {
        out.putInt(length);
    }

    @Override
    public void payload(ByteBuffer src, int length) {
        if (length < BulkUpper.THRESHOLD) {
            Upper.copy(src, length, out);
            return;
        }
        // Large pieces: a plain copy (a memcpy) and then the bulk upper-case in place beat a word-by-word copy on
        // direct buffers, where every getLong/putLong pays its own checks.
        int start = out.position();
        int srcLimit = src.limit();
        out.put(src.limit(src.position() + length));
        src.limit(srcLimit);
        bulk.inPlace(out, start, start + length);
    }

    @Override
    public void frameEnd() {
        stats.frames++;
    }

    @Override
    public String partialMessage() {
        return decoder.describePartial();
    }
}
