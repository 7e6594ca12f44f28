package nioreactor.kv;

import java.util.Arrays;

/**
 * The incremental RESP2 request parser of one connection: arrays of bulk strings ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n})
 * and inline commands (a line of words, as typed into {@code nc}), with Redis's rules and error texts.
 *
 * <p>It never copies or allocates per command: an argument is a slice (offset, length) of the caller's buffer, and
 * the offsets are kept relative to the start of the request, so a request cut in two by the network can be moved to
 * another buffer between reads and parsing goes on where it stopped. A partial request is never parsed twice: the
 * parser remembers the stage it reached and how far it scanned, and while a bulk body is still arriving it only
 * compares lengths.
 *
 * <p>Unlike Redis, it checks that each line and each bulk ends in CRLF (Redis skips the two bytes unread), so a
 * desynchronised stream is refused at once instead of being read as garbage commands.
 */
final class RespParser {

    /** What one call to {@link #next} found. */
    enum Outcome {
        /** A whole command: {@link #argc()} arguments, {@link #consumed()} bytes of input. */
        COMMAND,
        /** A request that asks for nothing ({@code *0}, {@code *-1}, a blank inline line): skip {@link #consumed()} bytes. */
        EMPTY,
        /** The input ends inside a request: keep it (from the request's start) and call again with more. */
        NEED_MORE,
        /** The input breaks the protocol: {@link #error()} says how, in Redis's words; the connection must close. */
        ERROR
    }

    /** Where in a request the parser stands between calls. */
    private enum Stage {
        /** Before the first byte of a request: its first byte tells an array from an inline command. */
        START,
        /** In an array, before a bulk's {@code $len} line. */
        BULK_HEADER,
        /** In an array, waiting for a bulk's {@code len} bytes and CRLF. */
        BULK_BODY
    }

    /** Argument slots a fresh parser has; they grow with the arguments that actually arrive, not the declared count. */
    private static final int INITIAL_ARGS = 8;
    /** After a request with more arguments than this, the slots shrink back, so one huge MSET is not kept forever. */
    private static final int KEPT_ARGS = 1024;

    private final long maxBulk;
    private Stage stage = Stage.START;
    /** Offset, from the request's start, of the next byte to parse. */
    private int at;
    /** Offset, from the request's start, up to which a line has been searched for its end without finding it. */
    private int scanned;
    private int expected;
    private int argc;
    private int bulkLength;
    private int[] starts = new int[INITIAL_ARGS];
    private int[] lengths = new int[INITIAL_ARGS];
    /** The finished command's size and argument count, valid until the next call. */
    private int consumed;
    private int commandArgc;
    private String error;

    RespParser(long maxBulk) {
        this.maxBulk = maxBulk;
    }

    /**
     * Parses the request starting at {@code buf[base]}, whose bytes up to {@code end} have arrived. After a
     * {@link Outcome#NEED_MORE} the next call must pass the same request's bytes (perhaps moved, with the same
     * {@code base}-relative layout) plus what came since.
     */
    Outcome next(byte[] buf, int base, int end) {
        if (stage == Stage.START) {
            if (commandArgc > KEPT_ARGS) {
                starts = new int[INITIAL_ARGS];
                lengths = new int[INITIAL_ARGS];
            }
            commandArgc = 0;
            if (base >= end) {
                return Outcome.NEED_MORE;
            }
            if (buf[base] != '*') {
                return inline(buf, base, end);
            }
            int cr = findCr(buf, base, end, Math.max(1, scanned));
            if (cr < 0) {
                return end - base > KvSettings.MAX_INLINE ? fail("Protocol error: too big mbulk count string")
                        : Outcome.NEED_MORE;
            }
            if (cr + 1 >= end) {
                return Outcome.NEED_MORE;
            }
            if (buf[cr + 1] != '\n') {
                return fail("Protocol error: expected CRLF after the array length");
            }
            long n = Numbers.parseLong(buf, base + 1, cr - base - 1, Long.MIN_VALUE);
            if (n == Long.MIN_VALUE || n > KvSettings.MAX_ARGS) {
                return fail("Protocol error: invalid multibulk length");
            }
            at = cr + 2 - base;
            scanned = at;
            if (n <= 0) {
                return finish(Outcome.EMPTY);
            }
            expected = (int) n;
            argc = 0;
            stage = Stage.BULK_HEADER;
        }
        while (true) {
            int p = base + at;
            if (stage == Stage.BULK_HEADER) {
                int cr = findCr(buf, base, end, scanned);
                if (cr < 0) {
                    return end - p > KvSettings.MAX_INLINE ? fail("Protocol error: too big bulk count string")
                            : Outcome.NEED_MORE;
                }
                if (cr + 1 >= end) {
                    return Outcome.NEED_MORE;
                }
                if (buf[p] != '$') {
                    return fail("Protocol error: expected '$', got '" + (char) (buf[p] & 0xff) + "'");
                }
                if (buf[cr + 1] != '\n') {
                    return fail("Protocol error: expected CRLF after the bulk length");
                }
                long n = Numbers.parseLong(buf, p + 1, cr - p - 1, -1);
                if (n < 0 || n > maxBulk) {
                    return fail("Protocol error: invalid bulk length");
                }
                bulkLength = (int) n;
                at = cr + 2 - base;
                stage = Stage.BULK_BODY;
                p = base + at;
            }
            // BULK_BODY: only lengths are compared until the whole bulk is here.
            if ((long) end - p < (long) bulkLength + 2) {
                return Outcome.NEED_MORE;
            }
            if (buf[p + bulkLength] != '\r' || buf[p + bulkLength + 1] != '\n') {
                return fail("Protocol error: expected CRLF after the bulk data");
            }
            addArg(at, bulkLength);
            at += bulkLength + 2;
            scanned = at;
            if (argc == expected) {
                return finish(Outcome.COMMAND);
            }
            stage = Stage.BULK_HEADER;
        }
    }

    /** Bytes of input the last {@link Outcome#COMMAND} or {@link Outcome#EMPTY} took. */
    int consumed() {
        return consumed;
    }

    int argc() {
        return commandArgc;
    }

    /** Offset of argument {@code i} from the request's start ({@code base}). */
    int start(int i) {
        return starts[i];
    }

    int length(int i) {
        return lengths[i];
    }

    String error() {
        return error;
    }

    /** Bytes of the request in progress that have been looked at; for the log line of a request cut short. */
    String describePartial(int buffered) {
        return switch (stage) {
            case START -> buffered == 0 ? null : "partial request (" + buffered + " bytes)";
            case BULK_HEADER, BULK_BODY -> "partial request (" + argc + " of " + expected + " arguments, "
                    + buffered + " bytes)";
        };
    }

    private Outcome inline(byte[] buf, int base, int end) {
        int nl = -1;
        for (int i = base + scanned; i < end; i++) {
            if (buf[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            scanned = end - base;
            return end - base > KvSettings.MAX_INLINE ? fail("Protocol error: too big inline request")
                    : Outcome.NEED_MORE;
        }
        int lineEnd = nl > base && buf[nl - 1] == '\r' ? nl - 1 : nl;
        argc = 0;
        if (!InlineSplitter.split(buf, base, lineEnd, this)) {
            return fail("Protocol error: unbalanced quotes in request");
        }
        at = nl + 1 - base;
        return finish(argc == 0 ? Outcome.EMPTY : Outcome.COMMAND);
    }

    /** For {@link InlineSplitter}: one more argument, {@code start} relative to the request's start. */
    void addArg(int start, int length) {
        if (argc == starts.length) {
            int grown = starts.length * 2;
            starts = Arrays.copyOf(starts, grown);
            lengths = Arrays.copyOf(lengths, grown);
        }
        starts[argc] = start;
        lengths[argc] = length;
        argc++;
    }

    private Outcome finish(Outcome outcome) {
        consumed = at;
        commandArgc = argc;
        stage = Stage.START;
        at = 0;
        scanned = 0;
        argc = 0;
        expected = 0;
        return outcome;
    }

    private Outcome fail(String message) {
        error = message;
        return Outcome.ERROR;
    }

    /** The first CR at or after {@code base + from}, remembering how far the search got when there is none yet. */
    private int findCr(byte[] buf, int base, int end, int from) {
        for (int i = base + from; i < end; i++) {
            if (buf[i] == '\r') {
                return i;
            }
        }
        scanned = Math.max(scanned, end - base);
        return -1;
    }
}
