package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nioreactor.testing.Eventually;
import nioreactor.testing.UnixSockets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} gets SIGTERM or SIGINT while a client is owed megabytes it has not read yet: the process flushes
 * them (the client reads them after the signal), logs exactly one summary line and exits 0.
 */
@Timeout(120)
class SignalShutdownTest {
    private static final Pattern SUMMARY =
            Pattern.compile("shutdown: (\\d+) connections closed, (\\d+) bytes flushed, (\\d+) bytes abandoned");
    private static final int SIGINT = 2;

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void pendingOutputIsFlushedThenTheProcessExitsZero(String signal, @TempDir Path dir) throws Exception {
        // No test is skipped: a machine without what a test needs fails it, saying what is missing.
        assertThat(Files.isDirectory(Path.of("/proc/self"))).as("needs Linux /proc").isTrue();
        // Enough that the kernel cannot hold it all: whatever its buffers between us and the server do not take
        // (the server's receive and send buffers, our send buffer: at most tcp_rmem + 2 tcp_wmem), the server
        // has read and still owes us, queued, when the signal comes.
        long sent = maxBuffer("tcp_rmem") + 2 * maxBuffer("tcp_wmem") + (16L << 20);
        long highWater = sent + (16L << 20); // never pause: the server reads all we send
        // A background job ignores SIGINT, and so would the child: env resets it where GNU env can.
        List<String> wrapper = signal.equals("INT") && ChildServe.commandAvailable("env")
                && runs("env", "--default-signal=INT", "true") ? List.of("env", "--default-signal=INT") : List.of();
        try (ChildServe child = ChildServe.start(dir, wrapper, List.of("-Xmx384m", "-XX:+UseSerialGC"),
                "--tcp", "0", "--framed", "-1", "--udp", "-1", "--high-water", Long.toString(highWater),
                "--shutdown-timeout", "60s")) {
            EchoPeer peer = EchoPeer.connectWithReceiveBuffer(child.tcpAddress(), 64 * 1024);
            try (peer) {
                assertThat(child.ignores(SIGINT) && signal.equals("INT"))
                        .as("SIGINT is ignored in this process tree (a background job) and GNU env cannot reset it"
                                + " (env --default-signal needs coreutils 8.31+)")
                        .isFalse();
                peer.stream(new Payload(3), sent, null);

                child.signal("TERM");
                Eventually.until(() -> child.log().contains("signal received") || !child.isAlive(),
                        () -> "the signal; log:\n" + child.log());
                assertThat(child.log()).as("handled by serve, not the JVM's default exit").contains("signal received");
                long got = peer.readVerifying(new Payload(3), -1);

                assertThat(child.awaitExit(Duration.ofSeconds(60))).as("exit status; log:\n%s", child.log()).isZero();
                String log = child.log();
                assertThat(child.logLines("shutdown: ")).as("summary lines in:\n%s", log).isEqualTo(1);
                Matcher m = SUMMARY.matcher(log);
                assertThat(m.find()).as("summary line in:\n%s", log).isTrue();
                long flushed = Long.parseLong(m.group(2));
                assertThat(Long.parseLong(m.group(1))).isEqualTo(1);
                assertThat(flushed).as("bytes flushed after the signal").isPositive();
                assertThat(Long.parseLong(m.group(3))).as("bytes abandoned").isZero();
                assertThat(got).isGreaterThanOrEqualTo(flushed).isLessThanOrEqualTo(sent);
            }
        }
    }

    /** A supervisor may signal as soon as the port is announced: serve's handlers must already be there. */
    @Test
    void aSignalRightAfterTheListeningLineStillShutsDownGracefully(@TempDir Path dir) throws Exception {
        try (ChildServe child = ChildServe.start(dir, List.of(), List.of("-Xmx64m", "-XX:+UseSerialGC"),
                "--tcp", "0", "--framed", "-1", "--udp", "-1")) {
            child.tcpAddress();
            child.signal("TERM");
            assertThat(child.awaitExit(Duration.ofSeconds(60))).as("exit status; log:\n%s", child.log()).isZero();
            assertThat(child.logLines("shutdown: ")).isEqualTo(1);
        }
    }

    /** SIGTERM removes the AF_UNIX socket files; SIGKILL cannot, and the next serve clears the stale one away. */
    @Test
    void theSocketFilesAreGoneAfterSigtermAndAStaleOneFromSigkillIsCleared(@TempDir Path dir) throws Exception {
        Path sockets = UnixSockets.shortDir();
        Path upper = sockets.resolve("upper.sock");
        Path framed = sockets.resolve("framed.sock");
        try {
            List<String> serve = List.of("--tcp", "0", "--framed", "-1", "--udp", "-1",
                    "--unix-tcp", upper.toString(), "--unix-framed", framed.toString());
            try (ChildServe child = ChildServe.start(dir, List.of(), List.of("-Xmx64m", "-XX:+UseSerialGC"),
                    serve.toArray(String[]::new))) {
                awaitUnixListening(child, framed);
                assertThat(upper).exists();
                assertThat(framed).exists();
                echoes(upper);
                child.signal("KILL");
                child.awaitExit(Duration.ofSeconds(30));
            }
            assertThat(upper).as("a killed server leaves its socket file").exists();

            try (ChildServe child = ChildServe.start(dir, List.of(), List.of("-Xmx64m", "-XX:+UseSerialGC"),
                    serve.toArray(String[]::new))) {
                awaitUnixListening(child, framed);
                assertThat(child.log()).contains("removed the stale socket file " + upper);
                echoes(upper);
                child.signal("TERM");
                assertThat(child.awaitExit(Duration.ofSeconds(60))).as("exit status; log:\n%s", child.log()).isZero();
                assertThat(upper).as("removed on SIGTERM").doesNotExist();
                assertThat(framed).as("removed on SIGTERM").doesNotExist();
            }
        } finally {
            UnixSockets.deleteTree(sockets);
        }
    }

    private static void awaitUnixListening(ChildServe child, Path framed) throws InterruptedException {
        Eventually.until(() -> child.log().contains("framed-echo listening on unix " + framed) || !child.isAlive(),
                () -> "the unix listening line; log:\n" + child.log());
        assertThat(child.isAlive()).as("serving; log:\n%s", child.log()).isTrue();
    }

    private static void echoes(Path path) throws IOException {
        try (UnixSockets.Peer peer = UnixSockets.connect(path)) {
            peer.out().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(peer.in().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("PING");
        }
    }

    /** The largest a TCP buffer autotunes to: the third field of net.ipv4.tcp_rmem / tcp_wmem. */
    private static long maxBuffer(String sysctl) throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/sys/net/ipv4", sysctl)).get(0).trim().split("\\s+");
        return Long.parseLong(f[2]);
    }

    private static boolean runs(String... command) {
        try {
            return new ProcessBuilder(command).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
