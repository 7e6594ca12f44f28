package nioreactor.kv;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The replies to one read's worth of commands, assembled in one array per reactor and written with one
 * {@code Connection.send}: a client pipelining 16 GETs costs one write, as Redis writes once per loop iteration.
 * Replies bigger than the array go out in several sends, and a large value is sent from where it is stored
 * rather than copied here first.
 *
 * <p>Reactor-thread state shared by every connection of the reactor, like the read buffer: it is only used inside
 * one handler callback at a time, between {@link #begin} and {@link #end}.
 */
final class Reply {
    /** Room for a read's replies before a send in between; a 64 KiB read of small commands rarely needs more. */
    static final int CAPACITY = 128 * 1024;
    /** Values longer than this are sent straight from the entry, in pieces of this size, not copied in. */
    private static final int COPY_LIMIT = 16 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};

    static final byte[] OK = ascii("+OK\r\n");
    static final byte[] PONG = ascii("+PONG\r\n");
    static final byte[] NULL_BULK = ascii("$-1\r\n");
    static final byte[] EMPTY_ARRAY = ascii("*0\r\n");
    static final byte[] ZERO = ascii(":0\r\n");
    static final byte[] ONE = ascii(":1\r\n");

    private final byte[] buf = new byte[CAPACITY];
    private final ByteBuffer view = ByteBuffer.wrap(buf);
    private int pos;
    private Peer to;
    /** Bytes handed to the connection since {@link #begin}, not counting what is still in the array. */
    private long sent;

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    void begin(Peer connection) {
        to = connection;
        pos = 0;
        sent = 0;
    }

    /** Sends what is assembled; the replies are then on their way or queued in order. */
    void end() {
        flush();
        to = null;
    }

    /** True when some replies were already sent during this callback (so the connection may have become unwritable). */
    boolean sentSome() {
        return sent > 0;
    }

    void flush() {
        if (pos > 0) {
            view.clear().limit(pos);
            to.send(view);
            sent += pos;
            pos = 0;
        }
    }

    private void room(int n) {
        if (pos + n > buf.length) {
            flush();
        }
    }

    void raw(byte[] bytes) {
        room(bytes.length);
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
    }

    void integer(long v) {
        prefixed(':', v);
    }

    void arrayHeader(long n) {
        prefixed('*', n);
    }

    private void prefixed(char type, long v) {
        room(Numbers.MAX_DIGITS + 3);
        buf[pos++] = (byte) type;
        pos = Numbers.writeDecimal(buf, pos, v);
        buf[pos++] = '\r';
        buf[pos++] = '\n';
    }

    void nullBulk() {
        raw(NULL_BULK);
    }

    void bulk(byte[] b, int off, int len) {
        prefixed('$', len);
        if (len <= COPY_LIMIT) {
            room(len + 2);
            System.arraycopy(b, off, buf, pos, len);
            pos += len;
            buf[pos++] = '\r';
            buf[pos++] = '\n';
            return;
        }
        flush();
        for (int at = off, end = off + len; at < end; at += COPY_LIMIT) {
            int n = Math.min(COPY_LIMIT, end - at);
            to.send(ByteBuffer.wrap(b, at, n));
            sent += n;
        }
        raw(CRLF);
    }

    void bulk(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        bulk(b, 0, b.length);
    }

    /** {@code -message\r\n}; a CR or LF inside the message becomes a space, as Redis makes it, so one error is one line. */
    void error(String message) {
        room(message.length() + 3);
        buf[pos++] = '-';
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            buf[pos++] = (byte) (c == '\r' || c == '\n' ? ' ' : c);
        }
        buf[pos++] = '\r';
        buf[pos++] = '\n';
    }
}
