package nioreactor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nioreactor.client.CommandRun;
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
