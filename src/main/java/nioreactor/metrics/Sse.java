package nioreactor.metrics;

import java.nio.charset.StandardCharsets;

/**
 * Server-Sent Events framing (the WHATWG HTML standard's {@code text/event-stream}): one message is an optional
 * {@code event:} line, one {@code data:} line per line of the payload, and an empty line. Pure functions; any thread.
 */
final class Sse {
    /** The response head that starts a stream: no length, so the body ends when the connection does. */
    static final String HEAD = "HTTP/1.1 200 OK\r\n"
            + "Content-Type: text/event-stream; charset=utf-8\r\n"
            + "Cache-Control: no-store\r\n"
            + "X-Content-Type-Options: nosniff\r\n"
            + "Connection: close\r\n"
            + "\r\n";

    private Sse() {
    }

    /**
     * One message: {@code event: NAME} (left out when {@code event} is null, which a browser dispatches as
     * "message"), then {@code data} split at its line breaks (CR LF, CR or LF, as the standard reads them) into
     * {@code data:} lines, then the blank line that ends the message.
     */
    static String frame(String event, String data) {
        if (event != null && (event.indexOf('\n') >= 0 || event.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException("an event name cannot hold a line break");
        }
        StringBuilder sb = new StringBuilder(data.length() + 32);
        if (event != null) {
            sb.append("event: ").append(event).append('\n');
        }
        int start = 0;
        for (int i = 0; i <= data.length(); i++) {
            char c = i < data.length() ? data.charAt(i) : '\n';
            if (c == '\n' || c == '\r') {
                sb.append("data: ").append(data, start, i).append('\n');
                if (c == '\r' && i + 1 < data.length() && data.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
                if (i >= data.length()) {
                    break;
                }
            }
        }
        return sb.append('\n').toString();
    }

    static byte[] bytes(String event, String data) {
        return frame(event, data).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code retry: MILLIS}: how long a browser's EventSource waits before reconnecting. */
    static String retry(long millis) {
        return "retry: " + millis + "\n\n";
    }
}
