package nioreactor.client;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Blocking client of the UDP time service (the seed's UDP server, default port 8080): sends a strftime format (empty
 * means {@value nioreactor.protocol.TimeFormat#DEFAULT_FORMAT}) and returns the server's answer. UDP may lose a
 * datagram, so each request is sent again after {@code timeout} without an answer, up to {@code retries} more times.
 */
public final class TimeClient implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    public static final int DEFAULT_RETRIES = 3;
    /**
     * The longest format one request can carry: a UDP datagram over IPv4 holds at most 65,535 - 8 (UDP header) - 20
     * (IP header) = 65,507 bytes; a longer send fails with "Message too long" (EMSGSIZE).
     */
    public static final int MAX_FORMAT_BYTES = 65_507;

    /**
     * Larger than the largest UDP payload (65,507 bytes over IPv4), so no answer is ever cut short. The seed's
     * {@code recvfrom(1024)} silently drops the end of a longer datagram, as the tutorial itself explains.
     */
    private static final int RECEIVE_BUFFER = 64 * 1024;

    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final Duration timeout;
    private final int retries;
    private final byte[] buffer = new byte[RECEIVE_BUFFER];
    /** An attempt timed out, so its answer may still arrive and must not be taken for a later request's. */
    private boolean answerMayBeLate;

    private TimeClient(DatagramSocket socket, InetSocketAddress server, Duration timeout, int retries) {
        this.socket = socket;
        this.server = server;
        this.timeout = timeout;
        this.retries = retries;
    }

    public static TimeClient open(InetSocketAddress server) throws IOException {
        return open(server, DEFAULT_TIMEOUT, DEFAULT_RETRIES);
    }

    /**
     * @param timeout how long each attempt waits for the answer; must be positive
     * @param retries how many times a request is sent again after a timeout (so {@code retries + 1} attempts)
     */
    public static TimeClient open(InetSocketAddress server, Duration timeout, int retries) throws IOException {
        Objects.requireNonNull(server, "server");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, got " + retries);
        }
        if (server.isUnresolved()) {
            throw new UnknownHostException("unknown host " + server.getHostString());
        }
        // Not connected, though only the server's answers count: on JDK 17 a connected DatagramSocket silently
        // drops a zero-length send, and the empty datagram is how the default format is asked for.
        DatagramSocket socket = new DatagramSocket();
        return new TimeClient(socket, server, timeout, retries);
    }

    /**
     * Asks for the time in {@code format} (UTF-8; empty for the server's default format).
     *
     * @return the answer, which may be an {@linkplain TimeReply#isError() ERR answer}
     * @throws NoReplyException when no answer came after {@code retries + 1} attempts
     * @throws IllegalArgumentException when {@code format} is longer than {@link #MAX_FORMAT_BYTES} in UTF-8: no
     *                                  datagram can carry it, so nothing is sent
     * @throws IOException      when the request cannot be sent
     */
    public TimeReply ask(String format) throws IOException {
        byte[] request = format.getBytes(StandardCharsets.UTF_8);
        if (request.length > MAX_FORMAT_BYTES) {
            throw new IllegalArgumentException(tooLong(request.length));
        }
        discardLateAnswers();
        int attempts = retries + 1;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            long deadline = System.nanoTime() + timeout.toNanos();
            socket.send(new DatagramPacket(request, request.length, server));
            TimeReply answer = awaitAnswer(deadline);
            if (answer != null) {
                return answer;
            }
            answerMayBeLate = true;
        }
        throw new NoReplyException(server, attempts, timeout);
    }

    /** The server's next answer, or null when none came by {@code deadline}; datagrams from anyone else are ignored. */
    private TimeReply awaitAnswer(long deadline) throws IOException {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            socket.setSoTimeout(Timeouts.millis(Duration.ofNanos(left)));
            try {
                packet.setData(buffer);
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return null;
            }
            if (server.equals(packet.getSocketAddress())) {
                return new TimeReply(new String(buffer, 0, packet.getLength(), StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * The protocol has no request ids: an answer to an attempt that timed out may arrive later and would be taken
     * for the answer to the next request. Drop whatever is already waiting before sending a new request.
     */
    private void discardLateAnswers() throws IOException {
        if (!answerMayBeLate) {
            return;
        }
        answerMayBeLate = false;
        socket.setSoTimeout(1);
        try {
            while (true) {
                socket.receive(new DatagramPacket(buffer, buffer.length));
            }
        } catch (SocketTimeoutException nothingLeft) {
            // the usual way out
        }
    }

    /** Why a format of {@code bytes} bytes (UTF-8) cannot be asked for. */
    public static String tooLong(int bytes) {
        return String.format(Locale.ROOT, "a format of %,d bytes (UTF-8) cannot be sent: the most one UDP datagram can"
                + " carry is %,d bytes", bytes, MAX_FORMAT_BYTES);
    }

    public InetSocketAddress serverAddress() {
        return server;
    }

    @Override
    public void close() {
        socket.close();
    }
}
