package nioreactor.server;

import java.nio.ByteBuffer;
import java.util.function.Supplier;
import nioreactor.protocol.FrameDecoder;
import nioreactor.protocol.FrameTooLargeException;
import nioreactor.protocol.Upper;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Connection;
import nioreactor.reactor.Counter;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.StreamHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The framed upper-echo: each frame (4-byte big-endian length, payload) is answered by a frame of the same length
 * holding the upper-cased payload, in order.
 *
 * <p>Because the reply has the request's length, the reply header can go out as soon as the request header is
 * read, and payload bytes can be forwarded as they arrive: nothing is buffered per connection. The replies to all
 * the frames in one read are assembled in one scratch buffer per reactor and written with one syscall, so a client
 * pipelining small frames costs one write per read, not one per frame.
 *
 * <p>A bad frame header (over {@code maxFrame}) closes that connection after flushing the replies it is owed, with a
 * WARN line; the frames answered are counted as {@code frames_total}.
 */
public final class FramedUpperEcho implements StreamHandler, FrameDecoder.Sink {
    private static final Logger log = LoggerFactory.getLogger(FramedUpperEcho.class);

    /** What every connection of one reactor shares; reactor-thread state, like the read buffer it works beside. */
    private record PerReactor(ByteBuffer scratch, BulkUpper bulk, Counter frames) {
    }

    private final PerReactor shared;
    private final FrameDecoder decoder;
    /** The reply being assembled during one onData call; null outside it. */
    private ByteBuffer out;

    private FramedUpperEcho(PerReactor shared, int maxFrame) {
        this.shared = shared;
        this.decoder = new FrameDecoder(maxFrame);
    }

    /** Handlers for every connection of {@code reactor}'s framed listener(s). */
    public static Supplier<StreamHandler> forOneReactor(Reactor reactor, int maxFrame) {
        return forOneReactor(reactor, maxFrame, new BulkUpper());
    }

    /** With the reactor's shared {@link BulkUpper}, so its scratch space is not repeated per service. */
    static Supplier<StreamHandler> forOneReactor(Reactor reactor, int maxFrame, BulkUpper bulk) {
        // Room for the replies to one full read plus a few bytes of header carried over from the previous one: a
        // reply is exactly as long as its request.
        PerReactor shared = new PerReactor(ByteBuffer.allocateDirect(reactor.readBufferSize() + 64), bulk,
                reactor.counter("frames_total", "Frames answered by the framed upper-echo"));
        return () -> new FramedUpperEcho(shared, maxFrame);
    }

    @Override
    public void onData(Connection connection, ByteBuffer data) {
        out = shared.scratch();
        out.clear();
        try {
            decoder.decode(data, this);
            sendAssembled(connection);
        } catch (FrameTooLargeException e) {
            sendAssembled(connection); // replies to the frames before the bad header still go out
            log.warn("#{} from {}: {}; closing the connection after flushing {} reply bytes", connection.id(),
                    connection.peer(), e.getMessage(), connection.pendingBytes());
            connection.closeAfterFlush(CloseReason.PROTOCOL_ERROR);
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
        shared.bulk().inPlace(out, start, start + length);
    }

    @Override
    public void frameEnd() {
        shared.frames().increment();
    }

    @Override
    public String partialMessage() {
        return decoder.describePartial();
    }
}
