package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM with {@code --drain-delay}: {@code /health} turns 503 at once, the listeners stay open and serve for the
 * delay (a balancer's checks see the 503 and stop sending), then the graceful shutdown runs and the process exits 0.
 */
@Timeout(90)
class DrainTest {

    @Test
    void healthTurns503AtTheSignalWhileTheListenersServeUntilTheDelayEnds(@TempDir Path dir) throws Exception {
        try (ChildServe child = ChildServe.start(dir, List.of(), List.of("-Xmx128m", "-XX:+UseSerialGC"),
                "--tcp", "0", "--framed", "-1", "--udp", "-1", "--metrics", "0", "--drain-delay", "3s")) {
            InetSocketAddress tcp = child.tcpAddress();
            InetSocketAddress metrics = child.metricsAddress();
            assertThat(health(metrics)).isEqualTo("200 ok");
            try (Socket before = Loopback.connect(tcp)) {
                echo(before, "before");
                long signalled = System.nanoTime();
                child.signal("TERM");
                Eventually.until(() -> health(metrics).startsWith("503"), () -> "503 after SIGTERM; log:\n" + child.log());
                assertThat(health(metrics)).isEqualTo("503 draining");
                try (Socket during = Loopback.connect(tcp)) {
                    echo(during, "new while draining");
                }
                echo(before, "old while draining");
                assertThat(child.awaitExit(Duration.ofSeconds(60))).as("exit status; log:\n%s", child.log()).isZero();
                assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
                Loopback.assertEof(before.getInputStream(), "the connection open across the drain");
            }
            assertThat(child.log()).contains("draining: /health answers 503; listeners stay open for 3000 ms");
            assertThat(child.logLines("shutdown: ")).isEqualTo(1);
        }
    }

    private static void echo(Socket s, String text) throws IOException {
        s.getOutputStream().write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        byte[] back = s.getInputStream().readNBytes(text.length() + 1);
        assertThat(new String(back, StandardCharsets.US_ASCII)).isEqualTo(text.toUpperCase() + "\n");
    }

    /** "200 ok" or "503 draining", or "down" when the port no longer answers. */
    static String health(InetSocketAddress metrics) {
        try (Socket s = Loopback.connect(metrics)) {
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            String status = all.substring(9, 12);
            return status + " " + all.substring(all.indexOf("\r\n\r\n") + 4).strip();
        } catch (IOException e) {
            return "down";
        }
    }
}
