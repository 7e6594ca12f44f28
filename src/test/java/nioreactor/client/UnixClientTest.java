package nioreactor.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import nioreactor.testing.UnixSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The blocking clients over AF_UNIX: the read timeout they have over TCP, and a refused connect. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UnixClientTest {
    private Path dir;

    @BeforeEach
    void makeDir() {
        dir = UnixSockets.shortDir();
    }

    @AfterEach
    void removeDir() {
        UnixSockets.deleteTree(dir);
    }

    @Test
    void aServerThatNeverAnswersIsATimeoutNotAHang() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("mute.sock"));
        try (ServerSocketChannel mute = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            mute.bind(address);
            Timeouts quick = new Timeouts(Duration.ofSeconds(5), Duration.ofMillis(300));
            for (boolean framed : new boolean[] {false, true}) {
                try (EchoClient client = framed ? FramedClient.connect(address, quick) : UpperClient.connect(address, quick);
                     SocketChannel accepted = mute.accept()) {
                    assertThat(accepted.isConnected()).isTrue();
                    long start = System.nanoTime();
                    assertThatThrownBy(() -> client.send("anyone?".getBytes()))
                            .isInstanceOf(SocketTimeoutException.class)
                            .hasMessage("no answer from " + address + " within 300 ms");
                    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300))
                            .isLessThan(TimeUnit.SECONDS.toNanos(10));
                }
            }
        }
    }

    @Test
    void aStaleSocketFileRefusesTheConnect() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("stale.sock"));
        ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address).close();
        assertThatThrownBy(() -> UpperClient.connect(address)).isInstanceOf(ConnectException.class);
    }
}
