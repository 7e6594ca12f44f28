package nioreactor.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The blocking peers answer like the reactor's services. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingUpperServerTest {
    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);

    @Test
    void rawModeUpperCasesEachRead() throws Exception {
        try (BlockingUpperServer server = BlockingUpperServer.start(ANY, false, false);
             Socket s = new Socket()) {
            s.connect(server.address(), 5_000);
            s.setSoTimeout(5_000);
            s.getOutputStream().write("hello, wörld {az}".getBytes(StandardCharsets.UTF_8));
            byte[] expected = "HELLO, WöRLD {AZ}".getBytes(StandardCharsets.UTF_8);
            byte[] got = new DataInputStream(s.getInputStream()).readNBytes(expected.length);
            assertThat(got).isEqualTo(expected);
            assertThat(server.liveThreads()).isEqualTo(2); // the acceptor and this connection's thread
        }
    }

    @Test
    void framedModeAnswersEachFrame() throws Exception {
        try (BlockingUpperServer server = BlockingUpperServer.start(ANY, true, false);
             Socket s = new Socket()) {
            s.connect(server.address(), 5_000);
            s.setSoTimeout(5_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(3);
            out.write("abc".getBytes(StandardCharsets.US_ASCII));
            out.writeInt(0);
            out.writeInt(2);
            out.write("x1".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertThat(in.readInt()).isEqualTo(3);
            assertThat(in.readNBytes(3)).isEqualTo("ABC".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readInt()).isZero();
            assertThat(in.readInt()).isEqualTo(2);
            assertThat(in.readNBytes(2)).isEqualTo("X1".getBytes(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void servesTheLoadGeneratorInBothModes() throws Exception {
        for (boolean framed : new boolean[] {false, true}) {
            try (BlockingUpperServer server = BlockingUpperServer.start(ANY, framed, false);
                 LoadGenerator load = LoadGenerator.connect(new LoadSettings(framed ? LoadMode.FRAMED : LoadMode.RAW,
                         server.address(), 3, 64, framed ? 8 : 1, Duration.ZERO, Duration.ofMillis(300), 1))) {
                LoadResult r = load.run(LoadGenerator.Progress.NONE);
                assertThat(r.requests()).isPositive();
                assertThat(r.errors()).isZero();
            }
        }
    }

    /** Checks whichever side this JVM is on, rather than skipping on the other: refused before JDK 21, serving after. */
    @Test
    void virtualThreadsAreRefusedClearlyBeforeJdk21AndServeFromIt() throws Exception {
        if (!ConnectionThreads.virtualAvailable()) {
            assertThatThrownBy(() -> BlockingUpperServer.start(ANY, false, true))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("JDK 21");
            return;
        }
        try (BlockingUpperServer server = BlockingUpperServer.start(ANY, false, true);
             LoadGenerator load = LoadGenerator.connect(new LoadSettings(LoadMode.RAW, server.address(), 3, 64, 1,
                     Duration.ZERO, Duration.ofMillis(300), 1))) {
            LoadResult r = load.run(LoadGenerator.Progress.NONE);
            assertThat(r.requests()).isPositive();
            assertThat(r.errors()).isZero();
        }
    }

    @Test
    void timeServerAnswersTheDefaultFormat() throws Exception {
        try (BlockingTimeServer server = BlockingTimeServer.start(ANY, ZoneId.of("UTC"));
             LoadGenerator load = LoadGenerator.connect(new LoadSettings(LoadMode.UDP_TIME, server.address(), 2, 0, 1,
                     Duration.ZERO, Duration.ofMillis(300), 1))) {
            LoadResult r = load.run(LoadGenerator.Progress.NONE);
            assertThat(r.requests()).isPositive(); // each one checked; losses are timing-based, so not asserted here
        }
    }
}
