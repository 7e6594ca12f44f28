package nioreactor.client;

import static nioreactor.client.UpperClientTest.address;
import static nioreactor.client.UpperClientTest.bytes;
import static nioreactor.client.UpperClientTest.randomLetters;
import static nioreactor.client.UpperClientTest.text;
import static nioreactor.client.UpperClientTest.upper;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FramedClientTest {
    private static final int SMALL_MAX_FRAME = 1024;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @RegisterExtension
    static final RunningServer smallFrames = RunningServer.withMaxFrame(SMALL_MAX_FRAME);

    @Test
    void answersEachFrameWithOneUpperCasedFrame() throws IOException {
        try (FramedClient client = FramedClient.connect(server.framed())) {
            assertThat(text(client.send(bytes("hello")))).isEqualTo("HELLO");
            assertThat(text(client.send(bytes("héllo wörld ß 世界")))).isEqualTo("HéLLO WöRLD ß 世界");
            assertThat(client.remoteAddress()).isEqualTo(server.framed());
        }
    }

    @Test
    void anEmptyFrameIsAnsweredByAnEmptyFrame() throws IOException {
        try (FramedClient client = FramedClient.connect(server.framed())) {
            assertThat(client.send(new byte[0])).isEmpty();
            assertThat(text(client.send(bytes("after")))).isEqualTo("AFTER");
        }
    }

    @Test
    void aLongFrameComesBackWhole() throws IOException {
        byte[] line = randomLetters(100 * 1024, 3);
        try (FramedClient client = FramedClient.connect(server.framed())) {
            assertThat(client.send(line)).isEqualTo(upper(line));
            assertThat(text(client.send(bytes("next")))).isEqualTo("NEXT");
        }
    }

    @Test
    void aFrameAboveTheServersMaximumEndsTheConnection() throws IOException {
        try (FramedClient client = FramedClient.connect(smallFrames.framed())) {
            assertThat(client.send(new byte[SMALL_MAX_FRAME])).hasSize(SMALL_MAX_FRAME);
            assertThatThrownBy(() -> client.send(new byte[SMALL_MAX_FRAME + 1])).isInstanceOf(IOException.class);
        }
    }

    @Test
    void anAnswerOfTheWrongLengthIsAProtocolError() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answerer = new Thread(() -> {
                try (Socket s = peer.accept()) {
                    s.setSoTimeout(30_000);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    in.readFully(new byte[in.readInt()]);
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.writeInt(-1); // 4 GiB - 1: must be refused before anything is allocated
                    out.flush();
                    in.read(); // wait for the client to hang up
                } catch (IOException ignored) {
                    // the client's assertion reports what went wrong
                }
            }, "wrong-length-peer");
            answerer.start();
            try (FramedClient client = FramedClient.connect(address(peer))) {
                assertThatThrownBy(() -> client.send(bytes("abc")))
                        .isInstanceOf(ProtocolException.class)
                        .hasMessageContaining("4294967295");
            } // the hang-up the answerer waits for
            answerer.join(30_000);
        }
    }

    @Test
    void aRefusedConnectionIsAConnectException() throws IOException {
        InetSocketAddress nobody = ClosedPorts.tcp();
        assertThatThrownBy(() -> FramedClient.connect(nobody)).isInstanceOf(ConnectException.class);
    }
}
