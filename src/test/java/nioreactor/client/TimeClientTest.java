package nioreactor.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeClientTest {
    /** Loopback does not lose datagrams, but a loaded box may be slow: give the real server time. */
    private static final Duration PATIENT = Duration.ofSeconds(10);

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void answersFormatsWithTheServersTime() throws IOException {
        try (TimeClient client = TimeClient.open(server.udp(), PATIENT, 0)) {
            assertThat(client.ask("%Y-%m-%d %H:%M:%S")).isEqualTo(new TimeReply("2026-03-14 15:09:26"));
            assertThat(client.ask("%A %B %-d")).isEqualTo(new TimeReply("Saturday March 14"));
            assertThat(client.ask("%%")).isEqualTo(new TimeReply("%"));
            assertThat(client.ask("年 %Y")).isEqualTo(new TimeReply("年 2026"));
        }
    }

    @Test
    void anEmptyFormatAsksForTheDefault() throws IOException {
        try (TimeClient client = TimeClient.open(server.udp(), PATIENT, 0)) {
            TimeReply reply = client.ask("");
            assertThat(reply.text()).isEqualTo("2026-03-14-15:09:26");
            assertThat(reply.isError()).isFalse();
        }
    }

    @Test
    void aLongAnswerIsNotCutShort() throws IOException {
        // The seed's recvfrom(1024) would keep only the first 1024 bytes of this.
        String format = "%Y".repeat(15_000); // 30,000 bytes asking for 60,000
        try (TimeClient client = TimeClient.open(server.udp(), PATIENT, 0)) {
            String answer = client.ask(format).text();
            assertThat(answer).hasSize(60_000);
            assertThat(answer).isEqualTo("2026".repeat(15_000));
        }
    }

    @Test
    void aBadFormatGetsAnErrAnswer() throws IOException {
        try (TimeClient client = TimeClient.open(server.udp(), PATIENT, 0)) {
            TimeReply lonePercent = client.ask("%Y %");
            assertThat(lonePercent.isError()).as(lonePercent.text()).isTrue();
            assertThat(lonePercent.text()).startsWith("ERR ");
            TimeReply tooLong = client.ask("%c".repeat(30_000));
            assertThat(tooLong.isError()).as(tooLong.text()).isTrue();
            assertThat(client.ask("%Y")).isEqualTo(new TimeReply("2026"));
        }
    }

    @Test
    void noServerMeansNoReplyAfterTheRetries() throws IOException {
        InetSocketAddress nobody = ClosedPorts.udp();
        try (TimeClient client = TimeClient.open(nobody, Duration.ofMillis(50), 2)) {
            assertThatThrownBy(() -> client.ask("%Y"))
                    .isInstanceOfSatisfying(NoReplyException.class, e -> assertThat(e.attempts()).isEqualTo(3))
                    .hasMessageContaining("no reply from 127.0.0.1:" + nobody.getPort() + " after 3 attempts");
        }
    }

    @Test
    void aLostDatagramIsSentAgain() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             TimeClient client = TimeClient.open(address(peer), Duration.ofMillis(100), 50)) {
            peer.setSoTimeout(30_000);
            CompletableFuture<TimeReply> reply = CompletableFuture.supplyAsync(() -> ask(client, "%Y"));
            DatagramPacket first = receive(peer); // "lost": never answered
            DatagramPacket second = receive(peer);
            assertThat(text(second)).isEqualTo("%Y");
            answer(peer, second, "2026");
            assertThat(reply.get(30, TimeUnit.SECONDS)).isEqualTo(new TimeReply("2026"));
            assertThat(text(first)).isEqualTo("%Y");
        }
    }

    @Test
    void aLateAnswerIsNotTakenForTheNextOne() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             TimeClient client = TimeClient.open(address(peer), Duration.ofMillis(100), 0)) {
            peer.setSoTimeout(30_000);
            assertThatThrownBy(() -> client.ask("%H")).isInstanceOf(NoReplyException.class);
            answer(peer, receive(peer), "late answer to %H"); // now waits in the client's socket
            CompletableFuture<TimeReply> reply = CompletableFuture.supplyAsync(() -> ask(client, "%M"));
            DatagramPacket request = receive(peer);
            assertThat(text(request)).isEqualTo("%M");
            answer(peer, request, "09");
            assertThat(reply.get(30, TimeUnit.SECONDS)).isEqualTo(new TimeReply("09"));
        }
    }

    @Test
    void refusesNonsenseSettings() {
        assertThatThrownBy(() -> TimeClient.open(server.udp(), Duration.ZERO, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TimeClient.open(server.udp(), PATIENT, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anErrPrefixMarksAnError() {
        assertThat(new TimeReply("ERR unknown conversion %Q").isError()).isTrue();
        assertThat(new TimeReply("ERROR").isError()).isFalse();
        assertThat(new TimeReply("").isError()).isFalse();
    }

    private static TimeReply ask(TimeClient client, String format) {
        try {
            return client.ask(format);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static InetSocketAddress address(DatagramSocket socket) {
        return new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort());
    }

    private static DatagramPacket receive(DatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
        socket.receive(packet);
        return packet;
    }

    private static void answer(DatagramSocket socket, DatagramPacket request, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, request.getSocketAddress()));
    }

    /** Over 65,507 bytes (counted in UTF-8) no datagram can carry it: refused before anything is sent. */
    @Test
    void aFormatTooLongForOneDatagramIsRefusedWithoutSending() throws IOException {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             TimeClient client = TimeClient.open((InetSocketAddress) peer.getLocalSocketAddress(), PATIENT, 0)) {
            String tooLong = "é".repeat(TimeClient.MAX_FORMAT_BYTES / 2 + 1); // 2 bytes each in UTF-8
            assertThatThrownBy(() -> client.ask(tooLong))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a format of 65,508 bytes (UTF-8) cannot be sent: the most one UDP datagram can carry"
                            + " is 65,507 bytes");
            peer.setSoTimeout(200);
            assertThatThrownBy(() -> peer.receive(new DatagramPacket(new byte[1], 1)))
                    .as("nothing was sent").isInstanceOf(java.net.SocketTimeoutException.class);
        }
    }

    private static String text(DatagramPacket p) {
        return new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.UTF_8);
    }
}
