package nioreactor.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.util.concurrent.TimeUnit;
import nioreactor.reactor.ReactorStats;
import nioreactor.testing.Frames;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** All reactor state is per instance: two servers in one JVM share nothing, not even counters, and die alone. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TwoServersTest {

    @Test
    void twoServersInOneJvmAreIndependent() throws Exception {
        Server a = Server.start(ServerConfig.builder().ephemeralPorts().reactorName("reactor-a").build());
        try {
            Server b = Server.start(ServerConfig.builder().ephemeralPorts().reactorName("reactor-b").build());
            try {
                assertThat(b.reactor()).isNotSameAs(a.reactor());
                assertThat(b.tcpAddress()).isNotEqualTo(a.tcpAddress());

                echo(a, "to a only");
                ReactorStats bBefore = b.stats();
                assertThat(bBefore.bytesRead()).as("b saw none of a's traffic").isZero();
                assertThat(bBefore.connectionsAccepted()).isZero();
                assertThat(bBefore.service("frames_total")).isZero();

                echo(b, "to b");
                assertThat(a.stats().service("frames_total")).isEqualTo(1);
                assertThat(b.stats().service("frames_total")).isEqualTo(1);

                a.close();
                assertThat(a.reactor().isRunning()).isFalse();
                echo(b, "b after a stopped");
                assertThat(b.stats().service("frames_total")).isEqualTo(2);
                assertThat(b.stats().handlerErrors()).isZero();
            } finally {
                b.close();
            }
        } finally {
            a.close(); // a second close just waits for the first one's result
        }
    }

    /** One raw exchange and one framed exchange with {@code server}. */
    private static void echo(Server server, String text) throws Exception {
        try (Socket raw = Loopback.connect(server.tcpAddress())) {
            raw.getOutputStream().write(text.getBytes());
            assertThat(new String(raw.getInputStream().readNBytes(text.length()))).isEqualTo(text.toUpperCase());
        }
        try (Socket framed = Loopback.connect(server.framedAddress())) {
            framed.getOutputStream().write(Frames.encode(text.getBytes()));
            assertThat(new String(Frames.read(framed.getInputStream()))).isEqualTo(text.toUpperCase());
        }
    }
}
