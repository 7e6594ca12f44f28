package nioreactor.kv;

import java.nio.ByteBuffer;
import java.util.Arrays;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Connection;
import nioreactor.reactor.StreamHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client of the key-value service: parses its requests, runs them in order and answers each read's worth in
 * one write.
 *
 * <p><b>Buffers.</b> Input is parsed where it lies: in the reactor's shared input array when the previous read
 * ended on a request boundary (the usual case), otherwise in this connection's {@code carry}, which holds exactly
 * the unfinished request and grows by half again when more arrives. A client that sends half a request and stalls
 * therefore costs what it sent (at most about 1.5 times, while a large value is arriving), bounded by
 * {@code --kv-max-request}; a client between requests holds no buffer at all.
 *
 * <p><b>Output.</b> When a pipeline's replies push the connection over its high water mark (a client that sends
 * many GETs of large values and reads nothing), parsing stops and the rest of the read waits in {@code carry} until
 * the replies drain: memory stays bounded by the water marks instead of by the number of queued commands.
 */
final class KvConnection implements StreamHandler {
    private static final Logger log = LoggerFactory.getLogger(KvConnection.class);
    /** A carry this large with little left in it is copied down to size rather than kept. */
    private static final int SHRINK_ABOVE = 64 * 1024;

    /** The connection's life as a Redis client. */
    enum State {
        /** Reading and answering. */
        OPEN,
        /** Replies are over the high water mark: parsed input waits in {@code carry} until they drain. */
        STALLED,
        /** QUIT or a protocol error: the last replies are flushing, later input is ignored. */
        CLOSING
    }

    private final KvService service;
    private final RespParser parser;
    /** The connection, seen through what a session needs of it; set in onOpen. */
    private Peer peer;
    private State state = State.OPEN;
    /** The unfinished input, {@code [0, carried)}; null when the last read ended on a request boundary. */
    private byte[] carry;
    private int carried;

    KvConnection(KvService service) {
        this.service = service;
        this.parser = new RespParser(service.settings().maxBulk());
    }

    State state() {
        return state;
    }

    /** Bytes this connection holds for an unfinished request (its buffer's size); zero between requests. */
    int bufferedCapacity() {
        return carry == null ? 0 : carry.length;
    }

    @Override
    public void onOpen(Connection connection) {
        opened(Peer.of(connection));
    }

    /** The session starts on {@code peer}; the server's connections come through {@link #onOpen}. */
    void opened(Peer peer) {
        this.peer = peer;
        service.opened();
    }

    @Override
    public void onClose(Connection connection, CloseReason reason) {
        closed();
    }

    void closed() {
        service.closed();
        carry = null;
    }

    @Override
    public void onData(Connection connection, ByteBuffer data) {
        onData(data);
    }

    /** Bytes from the peer, between {@code data}'s position and limit; all are consumed. */
    void onData(ByteBuffer data) {
        Peer connection = peer;
        if (state == State.CLOSING) {
            data.position(data.limit());
            return;
        }
        int n = data.remaining();
        byte[] in = service.input();
        byte[] buf;
        int end;
        if (carry == null) {
            buf = in;
            data.get(in, 0, n);
            end = n;
        } else if (carried + n <= in.length) {
            // A small leftover joins the new bytes in the shared array, so that a pipeline cut mid-request costs
            // no growing buffer per connection.
            System.arraycopy(carry, 0, in, 0, carried);
            data.get(in, carried, n);
            buf = in;
            end = carried + n;
            carry = null;
        } else {
            grow(n);
            data.get(carry, carried, n);
            carried += n;
            buf = carry;
            end = carried;
        }
        if (state == State.STALLED && !connection.isWritable()) {
            keep(buf, 0, end);
            return;
        }
        state = State.OPEN;
        process(connection, buf, end);
    }

    @Override
    public void onWritabilityChanged(Connection connection, boolean writable) {
        writable(writable);
    }

    void writable(boolean writable) {
        if (writable && state == State.STALLED) {
            // Not from inside the write path that tells us: resume in a task of its own.
            peer.later(this::resume);
        }
    }

    private void resume() {
        Peer connection = peer;
        if (state != State.STALLED || !connection.isWritable()) {
            return;
        }
        state = State.OPEN;
        if (carry != null) {
            process(connection, carry, carried);
        }
    }

    @Override
    public String partialMessage() {
        return carry == null ? null : parser.describePartial(carried);
    }

    private void process(Peer connection, byte[] buf, int end) {
        Reply reply = service.reply();
        reply.begin(connection);
        try {
            int base = 0;
            while (true) {
                switch (parser.next(buf, base, end)) {
                    case COMMAND -> {
                        Commands.After after = service.commands().execute(buf, base, parser);
                        base += parser.consumed();
                        if (after == Commands.After.CLOSE) {
                            closing(connection, CloseReason.LOCAL);
                            return;
                        }
                        if (reply.sentSome() && !connection.isWritable()) {
                            state = State.STALLED;
                            keep(buf, base, end);
                            return;
                        }
                    }
                    case EMPTY -> base += parser.consumed();
                    case NEED_MORE -> {
                        if (end - base > service.settings().maxRequest()) {
                            protocolError(connection, "Protocol error: request larger than the server's limit ("
                                    + service.settings().maxRequest() + " bytes)");
                            return;
                        }
                        keep(buf, base, end);
                        return;
                    }
                    case ERROR -> {
                        protocolError(connection, parser.error());
                        return;
                    }
                }
            }
        } finally {
            reply.end();
        }
    }

    private void protocolError(Peer connection, String message) {
        service.reply().error("ERR " + message);
        service.protocolError();
        log.warn("kv {}: {}; closing the connection", connection.describe(), message);
        closing(connection, CloseReason.PROTOCOL_ERROR);
    }

    private void closing(Peer connection, CloseReason reason) {
        state = State.CLOSING;
        carry = null;
        service.reply().end();
        connection.closeAfterFlush(reason);
    }

    /** Keeps {@code buf[base, end)}, the unfinished input, in {@code carry}; nothing left: no buffer at all. */
    private void keep(byte[] buf, int base, int end) {
        int left = end - base;
        if (left == 0) {
            carry = null;
            carried = 0;
            return;
        }
        if (buf != carry) {
            carry = Arrays.copyOfRange(buf, base, end);
        } else if (base > 0) {
            if (carry.length > SHRINK_ABOVE && left < carry.length / 4) {
                carry = Arrays.copyOfRange(carry, base, end);
            } else {
                System.arraycopy(carry, base, carry, 0, left);
            }
        }
        carried = left;
    }

    /** Room for {@code n} more bytes: half again as much, never less than needed, never far past the request limit. */
    private void grow(int n) {
        int needed = carried + n;
        if (needed <= carry.length) {
            return;
        }
        long cap = Math.max(needed, Math.min((long) carry.length * 3 / 2,
                service.settings().maxRequest() + service.input().length));
        carry = Arrays.copyOf(carry, (int) Math.min(cap, Integer.MAX_VALUE - 64));
    }
}
