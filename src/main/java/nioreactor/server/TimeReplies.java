package nioreactor.server;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import nioreactor.protocol.TimeFormat;
import nioreactor.protocol.TimeFormatCache;
import nioreactor.protocol.TimeFormatException;
import nioreactor.reactor.UdpSocket;

/**
 * The time service's answers, cached by the request's bytes.
 *
 * <p>strftime has no conversion finer than a second, so a format's answer changes at most once a second. Each
 * distinct request is decoded and parsed once, and its rendered reply kept until the second changes: in steady state a
 * request costs a hash, a compare and a send, with no allocation and no parsing. The table is direct-mapped (a new
 * format takes the slot of an old one with the same hash), so a client sending endless random formats cannot grow it.
 * Not thread-safe: the reactor thread owns it.
 *
 * <p>Public only so that the JMH benchmarks of the separate {@code bench/} project can measure it; it is not part of
 * the library's API, which is the package {@code nioreactor.reactor}.
 */
public final class TimeReplies {
    /** The largest UDP payload over IPv4: a reply that does not fit in one datagram is answered with ERR. */
    static final int MAX_DATAGRAM = UdpSocket.MAX_DATAGRAM;
    private static final int SLOTS = 1024; // a power of two

    private static final class Entry {
        final ByteBuffer request;
        final TimeFormat format; // null: the request is an error, and reply holds the ERR answer for good
        ByteBuffer reply;
        long second = Long.MIN_VALUE;
        boolean tooLarge;

        Entry(byte[] request, TimeFormat format, ByteBuffer reply) {
            this.request = ByteBuffer.wrap(request);
            this.format = format;
            this.reply = reply;
        }
    }

    private final Entry[] slots = new Entry[SLOTS];
    /** Behind the slots: a format whose slot was taken by another is not parsed again. */
    private final TimeFormatCache formats = new TimeFormatCache();
    private final ZoneId zone;
    private StringBuilder rendering = new StringBuilder();
    private boolean lastWasError;

    public TimeReplies(ZoneId zone) {
        this.zone = zone;
    }

    /**
     * The reply to {@code request} (its remaining bytes) at {@code epochSecond}. The returned buffer is shared: send
     * it before the next call. {@link #lastWasError()} tells whether it is an ERR answer.
     */
    public ByteBuffer replyFor(ByteBuffer request, long epochSecond) {
        int slot = hash(request) & (SLOTS - 1);
        Entry entry = slots[slot];
        if (entry == null || !entry.request.equals(request)) {
            entry = parse(request);
            slots[slot] = entry;
        }
        if (entry.format != null && entry.second != epochSecond) {
            render(entry, epochSecond);
        }
        lastWasError = entry.format == null || entry.tooLarge;
        return entry.reply.position(0);
    }

    boolean lastWasError() {
        return lastWasError;
    }

    private Entry parse(ByteBuffer request) {
        byte[] bytes = new byte[request.remaining()];
        request.get(request.position(), bytes);
        String format;
        try {
            format = bytes.length == 0 ? TimeFormat.DEFAULT_FORMAT : StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return new Entry(bytes, null, error("invalid UTF-8 in format"));
        }
        try {
            return new Entry(bytes, formats.get(format), null);
        } catch (TimeFormatException e) {
            return new Entry(bytes, null, error(e.getMessage()));
        }
    }

    private void render(Entry entry, long epochSecond) {
        rendering.setLength(0);
        // A UTF-8 reply has at least as many bytes as chars, so rendering can stop at MAX_DATAGRAM chars: a hostile
        // format (64 KiB of %1024c) then costs microseconds, not the tens of milliseconds of rendering megabytes.
        boolean fits = entry.format.formatTo(epochSecond, zone, rendering, MAX_DATAGRAM) >= 0;
        byte[] text = fits ? rendering.toString().getBytes(StandardCharsets.UTF_8) : null;
        entry.second = epochSecond;
        entry.tooLarge = text == null || text.length > MAX_DATAGRAM;
        entry.reply = entry.tooLarge
                ? error("reply of more than " + MAX_DATAGRAM + " bytes does not fit in one datagram")
                : ByteBuffer.wrap(text);
        if (rendering.capacity() > 4 * 1024) {
            rendering = new StringBuilder(); // don't keep a huge builder for the odd large reply
        }
    }

    static ByteBuffer error(String reason) {
        return ByteBuffer.wrap(("ERR " + reason).getBytes(StandardCharsets.UTF_8));
    }

    private static int hash(ByteBuffer b) {
        int h = 1;
        for (int i = b.position(), end = b.limit(); i < end; i++) {
            h = 31 * h + b.get(i);
        }
        return h ^ (h >>> 16);
    }
}
