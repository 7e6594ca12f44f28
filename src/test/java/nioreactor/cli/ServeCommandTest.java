package nioreactor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nioreactor.client.CommandRun;
import nioreactor.testing.UnixSockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code serve} as a user starts it, through {@link Main#run}, where it ends before serving: a port already taken,
 * or options it cannot use. Serving itself is covered by the server and robustness tests.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeCommandTest {

    /**
     * A port held by a plain socket: serve names the service, protocol and address, says why in lower case, and
     * names the option that moves that service, then exits 1.
     */
    @ParameterizedTest
    @CsvSource({
        "upper-echo,  tcp, --tcp",
        "framed-echo, tcp, --framed",
        "time,        udp, --udp",
        "metrics,     tcp, --metrics",
    })
    void aPortInUseNamesTheServiceAndTheOptionThatMovesIt(String service, String protocol, String option)
            throws IOException {
        try (Holder taken = Holder.hold(protocol)) {
            List<String> args = new ArrayList<>(List.of("serve", "--tcp", "0", "--framed", "0", "--udp", "0"));
            int at = args.indexOf(option);
            if (at < 0) {
                args.addAll(List.of(option, Integer.toString(taken.port)));
            } else {
                args.set(at + 1, Integer.toString(taken.port));
            }
            CommandRun run = CommandRun.of("", args.toArray(String[]::new));
            assertThat(run.status()).as(run.toString()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("serve: cannot bind " + service + " to " + protocol + " 127.0.0.1:"
                    + taken.port + ": address already in use (is another serve running? " + option
                    + " 0 picks a free port)\n");
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    void aLiveUnixSocketIsNeverTakenOverAndServeSaysWhichPath() throws Exception {
        Path dir = UnixSockets.shortDir();
        Path path = dir.resolve("live.sock");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(path));
            CommandRun run = CommandRun.of("", "serve", "--tcp", "0", "--framed", "0", "--udp", "0", "--unix-tcp",
                    path.toString());
            assertThat(run.status()).as(run.toString()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("serve: cannot bind upper-echo to unix " + path
                    + ": another server is listening there; not removing it (is another serve running? --unix-tcp"
                    + " takes another path)\n");
            assertThat(path).exists();
        } finally {
            UnixSockets.deleteTree(dir);
        }
    }

    @Test
    void aUnixPathTooLongIsRefusedBeforeAnyBind() {
        String path = "/tmp/" + "x".repeat(120);
        CommandRun run = CommandRun.of("", "serve", "--tcp", "0", "--framed", "0", "--udp", "0", "--unix-framed", path);
        assertThat(run.status()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("serve: cannot bind framed-echo to unix " + path
                + ": too long for a Unix domain socket: 125 bytes, at most 106 (sun_path is 108 bytes on Linux, NUL"
                + " included)\n");
    }

    @ParameterizedTest
    @CsvSource({"0660, rw-rw----", "600, rw-------", "0777, rwxrwxrwx", "rw-r-----, rw-r-----"})
    void unixModeTakesOctalOrLsForm(String given, String mode) {
        assertThat(new Converters.ModeConverter().convert(given)).isEqualTo(mode);
    }

    @Test
    void aBadUnixModeIsAUsageError() {
        CommandRun run = CommandRun.of("", "serve", "--unix-mode", "0999");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("'0999' is not a file mode (e.g. 0660, 0600, rw-rw----)");
    }

    @Test
    void anImpossiblePortIsAUsageErrorWithoutTheUsage() {
        CommandRun run = CommandRun.of("", "serve", "--tcp", "70000");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("serve: port must be -1 (off), 0 (any free port) or 1-65535, got 70000\n"
                + "try 'nioreactor serve --help'\n");
        assertThat(run.out()).isEmpty();
    }

    /** A socket holding a loopback port of the given protocol, as another program would. */
    private record Holder(Closeable socket, int port) implements Closeable {
        static Holder hold(String protocol) throws IOException {
            if (protocol.equals("udp")) {
                DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                return new Holder(udp, udp.getLocalPort());
            }
            ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            return new Holder(tcp, tcp.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
