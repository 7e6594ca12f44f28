package nioreactor.metrics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Incremental parser of HTTP/1.x request heads for one connection: bytes go in as they are read, complete requests
 * come out, pipelined ones in order.
 *
 * <p>It never holds more than {@code maxHead} bytes: a head that does not end within that many bytes is answered
 * 431 and the connection closed, so a client cannot grow our memory or make us scan forever. An idle connection
 * holds no buffer. Request bodies are not read: a request announcing one is answered and the connection closed,
 * which is all a metrics endpoint needs and keeps the parser small.
 */
final class HttpRequestParser {

    /** What {@link #next()} found. */
    sealed interface Result permits Request, NeedMore, Bad {
    }

    /** A complete request head. {@code hasBody}: it announced a body we will not read, so the connection must close. */
    record Request(String method, String path, boolean keepAlive, boolean hasBody) implements Result {
    }

    /** No complete head yet. */
    enum NeedMore implements Result { INSTANCE }

    /** The request is broken: answer {@code status} and close. */
    record Bad(int status, String reason) implements Result {
    }

    private final int maxHead;
    private byte[] buf;
    private int length;

    HttpRequestParser(int maxHead) {
        this.maxHead = maxHead;
    }

    /** Copies as many bytes of {@code src} as fit in the head buffer; the rest stays in {@code src}. */
    void feed(ByteBuffer src) {
        int n = Math.min(src.remaining(), maxHead - length);
        if (n == 0) {
            return;
        }
        if (buf == null) {
            buf = new byte[Math.min(maxHead, Math.max(512, n))];
        } else if (buf.length < length + n) {
            buf = Arrays.copyOf(buf, Math.min(maxHead, Math.max(buf.length * 2, length + n)));
        }
        src.get(buf, length, n);
        length += n;
    }

    /** The next complete request from the bytes fed so far, removing it from the buffer. */
    Result next() {
        skipLeadingLineBreaks();
        int end = headEnd();
        if (end < 0) {
            return length >= maxHead ? new Bad(431, "request head over " + maxHead + " bytes") : NeedMore.INSTANCE;
        }
        String head = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
        consume(end);
        return parse(head);
    }

    /** For the close log: what a peer closing now leaves unanswered. */
    String describePartial() {
        return length == 0 ? null : "partial HTTP request (" + length + " bytes)";
    }

    /** RFC 9112 2.2: a server should ignore empty lines before a request line (some clients send a CRLF after a body). */
    private void skipLeadingLineBreaks() {
        int i = 0;
        while (i < length && (buf[i] == '\r' || buf[i] == '\n')) {
            i++;
        }
        if (i > 0) {
            consume(i);
        }
    }

    /** Index just past the empty line ending the head (CRLF CRLF, or a bare LF LF, which RFC 9112 lets us accept). */
    private int headEnd() {
        for (int i = 0; i < length; i++) {
            if (buf[i] != '\n') {
                continue;
            }
            if (i + 1 < length && buf[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 2 < length && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
                return i + 3;
            }
        }
        return -1;
    }

    private void consume(int n) {
        length -= n;
        if (length == 0) {
            buf = null; // an idle keep-alive connection holds no buffer
        } else {
            System.arraycopy(buf, n, buf, 0, length);
        }
    }

    private static Result parse(String head) {
        String[] lines = head.split("\r?\n");
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3 || !isToken(requestLine[0]) || !requestLine[1].startsWith("/")
                || hasControlChars(requestLine[1])) {
            return new Bad(400, "malformed request line");
        }
        String version = requestLine[2];
        boolean http11 = version.equals("HTTP/1.1");
        if (!http11 && !version.equals("HTTP/1.0")) {
            return version.matches("HTTP/\\d\\.\\d") ? new Bad(505, "only HTTP/1.0 and HTTP/1.1")
                    : new Bad(400, "malformed request line");
        }
        boolean close = false;
        boolean keepAliveAsked = false;
        boolean hasBody = false;
        boolean host = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            // A line starting with white space is obsolete line folding, which RFC 9112 says to reject.
            if (colon <= 0 || !isToken(line.substring(0, colon)) || hasControlChars(line)) {
                return new Bad(400, "malformed header line");
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            switch (name) {
                case "host" -> host = true;
                case "connection" -> {
                    for (String option : value.toLowerCase(Locale.ROOT).split(",")) {
                        close |= option.strip().equals("close");
                        keepAliveAsked |= option.strip().equals("keep-alive");
                    }
                }
                case "content-length" -> {
                    if (!value.matches("\\d{1,18}")) {
                        return new Bad(400, "bad Content-Length");
                    }
                    hasBody |= Long.parseLong(value) > 0;
                }
                case "transfer-encoding" -> hasBody = true;
                default -> {
                    // other headers do not matter to a metrics endpoint
                }
            }
        }
        if (http11 && !host) {
            return new Bad(400, "HTTP/1.1 request without Host");
        }
        String target = requestLine[1];
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        boolean keepAlive = http11 ? !close : keepAliveAsked && !close;
        return new Request(requestLine[0], path, keepAlive, hasBody);
    }

    /** RFC 9110 token characters: what a method or a header name may be made of. */
    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasControlChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
