package nioreactor.chat;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/** One chat member over a real blocking loopback socket, line by line, every read with a timeout. */
final class ChatPeer implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 10_000;

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** The id from the greeting, e.g. 12 for "* you are #12; ...". */
    final long id;
    final String greeting;

    private ChatPeer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        this.in = new java.io.BufferedInputStream(socket.getInputStream()); // readLine goes byte by byte
        this.out = socket.getOutputStream();
        this.greeting = readLine();
        if (!greeting.startsWith("* you are #")) {
            throw new IOException("not a greeting: " + greeting);
        }
        this.id = Long.parseLong(greeting.substring("* you are #".length(), greeting.indexOf(';')));
    }

    static ChatPeer join(InetSocketAddress room) throws IOException {
        Socket s = new Socket();
        s.connect(room, TIMEOUT_MILLIS);
        return new ChatPeer(s);
    }

    /** This member's address as the room's {@code /who} shows it: {@code 127.0.0.1:50312}. */
    String at() {
        return socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next line without its {@code \n}, bytes as ISO-8859-1 chars; fails at end of stream or timeout. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("no complete line within " + TIMEOUT_MILLIS + " ms; so far: "
                        + line.toString(StandardCharsets.ISO_8859_1));
            }
            if (b < 0) {
                throw new EOFException("end of stream; so far: " + line.toString(StandardCharsets.ISO_8859_1));
            }
            if (b == '\n') {
                return line.toString(StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
    }

    /** Reads lines until one matches, and returns it (skipping the others). */
    String readUntil(Predicate<String> wanted) throws IOException {
        while (true) {
            String line = readLine();
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    /** True once the server has closed: end of stream, after any lines still owed (which are skipped). */
    boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // skip
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** A reset rather than a FIN: SO_LINGER 0, then close. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
