package nioreactor.chat;

import java.nio.ByteBuffer;

/**
 * Cuts one connection's byte stream into {@code \n}-terminated lines, whatever the reads' boundaries (the sticky and
 * partial reads of TCP), with a bound on how much of an unfinished line it keeps.
 *
 * <p>A line that arrives whole inside one read is handed over as a view of that read's buffer: no copy. Only the
 * unfinished tail of a read is copied, because the reactor reuses its read buffer as soon as the handler returns; the
 * copy grows with the line and is dropped once a long line completes, so an idle member holds at most a small array.
 *
 * <p>A line is at most {@code maxLine} bytes before its {@code \n} (a {@code \r} before it counts: the bytes are not
 * interpreted). As soon as more have arrived with no {@code \n}, {@link Sink#tooLong()} is told once and the rest of
 * that line is discarded up to and including its {@code \n}; the stream then goes on. So memory per connection is
 * bounded by {@code maxLine}, however long the line.
 *
 * <p>Not thread-safe: one reactor thread owns it.
 */
final class LineAssembler {

    /** Where lines go. Each method returns false to stop feeding (the connection is gone or closing). */
    interface Sink {
        /**
         * A complete line between {@code line}'s position and limit, without its {@code \n}. Valid only during the
         * call: it is a view of the read buffer or of this assembler's own array.
         */
        boolean line(ByteBuffer line);

        /** A line passed {@code maxLine} bytes; what follows up to its {@code \n} is discarded. */
        boolean tooLong();
    }

    /** A partial line up to this size keeps its array for the next one; a larger one gives it back. */
    private static final int KEEP_ARRAY = 1024;
    private static final int FIRST_ARRAY = 128;

    private final int maxLine;
    /** The unfinished line so far; null while there is none and no array is worth keeping. */
    private byte[] partial;
    private int partialLength;
    /** True while skipping the rest of a line that was too long. */
    private boolean discarding;

    LineAssembler(int maxLine) {
        if (maxLine < 1) {
            throw new IllegalArgumentException("max line must be >= 1, got " + maxLine);
        }
        this.maxLine = maxLine;
    }

    /** Consumes all of {@code data} (unless the sink says stop) and hands each completed line to {@code sink}. */
    void feed(ByteBuffer data, Sink sink) {
        while (data.hasRemaining()) {
            int start = data.position();
            int newline = indexOfNewline(data, start, data.limit());
            if (discarding) {
                if (newline < 0) {
                    data.position(data.limit());
                    return;
                }
                discarding = false;
                data.position(newline + 1);
                continue;
            }
            int end = newline < 0 ? data.limit() : newline;
            if (partialLength + (end - start) > maxLine) {
                dropPartial();
                discarding = newline < 0; // the line's end is still to come: skip up to it
                data.position(newline < 0 ? data.limit() : newline + 1);
                if (!sink.tooLong()) {
                    return;
                }
                continue;
            }
            if (newline < 0) {
                keep(data, start, end);
                data.position(data.limit());
                return;
            }
            data.position(newline + 1);
            boolean goOn;
            if (partialLength == 0) {
                goOn = sink.line(data.duplicate().position(start).limit(end));
            } else {
                keep(data, start, end);
                goOn = sink.line(ByteBuffer.wrap(partial, 0, partialLength));
                partialLength = 0;
                if (partial.length > KEEP_ARRAY) {
                    partial = null;
                }
            }
            if (!goOn) {
                return;
            }
        }
    }

    /** Bytes of an unfinished line held now (not counting a too-long line being discarded). */
    int partialLength() {
        return partialLength;
    }

    /** True while the rest of a too-long line is being skipped. */
    boolean discarding() {
        return discarding;
    }

    /** For the log line of a peer that closed mid-line, or null when no line was under way. */
    String describePartial() {
        if (discarding) {
            return "the rest of a line over " + maxLine + " bytes";
        }
        return partialLength == 0 ? null : "partial line (" + partialLength + " bytes, no newline)";
    }

    private void keep(ByteBuffer data, int start, int end) {
        int n = end - start;
        if (n == 0) {
            return;
        }
        int needed = partialLength + n; // <= maxLine, checked by the caller
        if (partial == null || partial.length < needed) {
            int size = partial == null ? FIRST_ARRAY : partial.length;
            while (size < needed) {
                size *= 2;
            }
            byte[] bigger = new byte[Math.min(size, maxLine)];
            if (partialLength > 0) {
                System.arraycopy(partial, 0, bigger, 0, partialLength);
            }
            partial = bigger;
        }
        data.get(start, partial, partialLength, n);
        partialLength = needed;
    }

    private void dropPartial() {
        partialLength = 0;
        if (partial != null && partial.length > KEEP_ARRAY) {
            partial = null;
        }
    }

    private static int indexOfNewline(ByteBuffer data, int from, int to) {
        for (int i = from; i < to; i++) {
            if (data.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }
}
