package nioreactor.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import nioreactor.reactor.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpperClientTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    /** Water marks far below the client's window, to show that a huge line cannot deadlock against backpressure. */
    @RegisterExtension
    static final RunningServer tightServer = new RunningServer(b -> b.limits(Limits.DEFAULTS.withWaterMarks(8 * 1024, 2 * 1024)));

    @Test
    void answersEachMessageWithItsWholeUpperCasedEcho() throws IOException {
        try (UpperClient client = UpperClient.connect(server.tcp())) {
            assertThat(text(client.send(bytes("hello")))).isEqualTo("HELLO");
            assertThat(text(client.send(bytes("Mixed 123 case!")))).isEqualTo("MIXED 123 CASE!");
            assertThat(client.remoteAddress()).isEqualTo(server.tcp());
        }
    }

    @Test
    void changesOnlyAsciiLettersLikePythonsBytesUpper() throws IOException {
        try (UpperClient client = UpperClient.connect(server.tcp())) {
            assertThat(text(client.send(bytes("héllo wörld ß 世界 ǆ")))).isEqualTo("HéLLO WöRLD ß 世界 ǆ");
        }
    }

    @Test
    void anEmptyMessageNeedsNoAnswer() throws IOException {
        try (UpperClient client = UpperClient.connect(server.tcp())) {
            assertThat(client.send(new byte[0])).isEmpty();
            assertThat(text(client.send(bytes("after")))).isEqualTo("AFTER");
        }
    }

    @Test
    void readsTheWholeAnswerToALongMessage() throws IOException {
        // The seed's recv(1024) would return only a piece of this and mistake the rest for the next answer.
        byte[] line = randomLetters(100 * 1024, 1);
        try (UpperClient client = UpperClient.connect(server.tcp())) {
            assertThat(client.send(line)).isEqualTo(upper(line));
            assertThat(text(client.send(bytes("next")))).isEqualTo("NEXT");
        }
    }

    @Test
    void aMessageFarAboveTheServersHighWaterMarkDoesNotDeadlock() throws IOException {
        byte[] line = randomLetters(8 * 1024 * 1024, 2);
        try (UpperClient client = UpperClient.connect(tightServer.tcp())) {
            assertThat(client.send(line)).isEqualTo(upper(line));
        }
    }

    @Test
    void aRefusedConnectionIsAConnectException() throws IOException {
        InetSocketAddress nobody = ClosedPorts.tcp();
        assertThatThrownBy(() -> UpperClient.connect(nobody)).isInstanceOf(ConnectException.class);
    }

    @Test
    void aServerThatClosesMidAnswerIsAnEofException() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             UpperClient client = UpperClient.connect(address(peer))) {
            Thread answerer = new Thread(() -> {
                try (Socket s = peer.accept()) {
                    s.setSoTimeout(30_000);
                    s.getInputStream().readNBytes(3);
                    s.getOutputStream().write(bytes("AB")); // two of the three bytes owed, then FIN
                } catch (IOException ignored) {
                    // the client's assertion reports what went wrong
                }
            }, "short-answer-peer");
            answerer.start();
            assertThatThrownBy(() -> client.send(bytes("abc")))
                    .isInstanceOf(EOFException.class)
                    .hasMessageContaining("after 2 of 3 reply bytes");
            answerer.join(30_000);
        }
    }

    @Test
    void aSilentServerIsAReadTimeout() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             UpperClient client = UpperClient.connect(address(peer),
                     new Timeouts(Timeouts.DEFAULT_CONNECT, Duration.ofMillis(200)));
             Socket silent = peer.accept()) {
            assertThatThrownBy(() -> client.send(bytes("anyone?"))).isInstanceOf(SocketTimeoutException.class);
            InputStream in = silent.getInputStream();
            silent.setSoTimeout(30_000);
            assertThat(in.readNBytes(7)).isEqualTo(bytes("anyone?"));
        }
    }

    static InetSocketAddress address(ServerSocket socket) {
        return new InetSocketAddress(socket.getInetAddress(), socket.getLocalPort());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The expected echo of {@link #randomLetters}, which are all ASCII. */
    static byte[] upper(byte[] asciiLetters) {
        return new String(asciiLetters, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT)
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Mixed-case letters, digits and spaces: what a line typed by a person is made of, only longer. */
    static byte[] randomLetters(int length, long seed) {
        byte[] alphabet = bytes("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ");
        Random random = new Random(seed);
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return b;
    }
}
