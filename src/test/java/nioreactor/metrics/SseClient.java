package nioreactor.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import nioreactor.testing.Loopback;

/**
 * A blocking Server-Sent Events client for the tests: subscribes with {@code GET /events} and reads messages one at a
 * time, only when asked (so a test can stop reading, and the server sees a frozen tab).
 */
final class SseClient implements AutoCloseable {
    record Message(String event, String data) {
    }

    private final Socket socket;
    private final InputStream in;
    final int status;
    final List<String> headers = new ArrayList<>();
    /** The data of every {@code events} message read so far, concatenated: the trace as this tab saw it. */
    final StringBuilder events = new StringBuilder();

    /** {@code receiveBuffer > 0}: a small, fixed socket receive buffer, so that not reading soon fills the server's queue. */
    SseClient(InetSocketAddress to, int receiveBuffer) throws IOException {
        socket = Loopback.connect(to, receiveBuffer);
        in = socket.getInputStream();
        socket.getOutputStream().write("GET /events HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("closed before a response");
        }
        status = Integer.parseInt(statusLine.split(" ")[1]);
        String h;
        while ((h = line()) != null && !h.isEmpty()) {
            headers.add(h);
        }
    }

    SseClient(InetSocketAddress to) throws IOException {
        this(to, 0);
    }

    /** The next message, skipping {@code retry:} and comment blocks; null at the end of the stream. */
    Message next() throws IOException {
        while (true) {
            String event = null;
            StringBuilder data = null;
            String l;
            while ((l = line()) != null && !l.isEmpty()) {
                if (l.startsWith("event: ")) {
                    event = l.substring(7);
                } else if (l.startsWith("data: ")) {
                    data = data == null ? new StringBuilder() : data.append('\n');
                    data.append(l.substring(6));
                }
            }
            if (l == null) {
                return null;
            }
            if (data != null) {
                if ("events".equals(event)) {
                    events.append(data);
                }
                return new Message(event, data.toString());
            }
        }
    }

    /** Reads until a message matches; fails at the end of the stream (each read has the socket's timeout). */
    Message until(Predicate<Message> match) throws IOException {
        Message m;
        while ((m = next()) != null) {
            if (match.test(m)) {
                return m;
            }
        }
        throw new IOException("the stream ended before a matching message");
    }

    Message until(String event) throws IOException {
        return until(m -> event.equals(m.event()));
    }

    String body() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                return null;
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
