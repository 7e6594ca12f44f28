package nioreactor.cli;

import static nioreactor.client.CommandRun.port;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import nioreactor.client.ClosedPorts;
import nioreactor.client.CommandRun;
import nioreactor.client.RunningServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The server's clock is fixed at 2026-03-14 15:09:26 UTC (see {@link RunningServer#NOW}). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeCommandTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void printsTheAnswerToEachFormat() {
        CommandRun run = CommandRun.of("", "time", "--port", port(server.udp()), "--timeout", "10s",
                "%Y-%m-%d", "%H:%M:%S", "%%", "年%Y");
        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("2026-03-14\n15:09:26\n%\n年2026\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void withoutFormatsEachStdinLineIsOneAndAnEmptyLineAsksForTheDefault() {
        CommandRun run = CommandRun.of("%Y\n\n  %A  \n%%\n", "time", "--port", port(server.udp()),
                "--timeout", "10s");
        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("2026\n2026-03-14-15:09:26\nSaturday\n%\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void endOfInputAtOnceIsAQuietSuccess() {
        CommandRun run = CommandRun.of("", "time", "--port", port(server.udp()));
        assertThat(run.status()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEmpty();
    }

    @Test
    void anErrAnswerGoesToStderrAndMakesTheStatusTwo() {
        CommandRun run = CommandRun.of("", "time", "--port", port(server.udp()), "--timeout", "10s",
                "%Y", "100%", "%m");
        assertThat(run.status()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).isEqualTo("2026\n03\n");
        assertThat(run.err()).startsWith("ERR ").endsWith("\n").doesNotContain("\n\n");
        assertThat(run.err().lines()).hasSize(1);
    }

    @Test
    void noServerIsStatusOneWithAMessageAfterTheRetries() throws IOException {
        InetSocketAddress nobody = ClosedPorts.udp();
        CommandRun run = CommandRun.of("", "time", "--port", port(nobody), "--timeout", "50ms", "--retries", "2",
                "%Y", "%m");
        assertThat(run.status()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("time: no reply from 127.0.0.1:" + nobody.getPort() + " after 3 attempts");
        assertThat(run.err().lines()).hasSize(1);
    }

    /**
     * No datagram carries more than 65,507 bytes: a longer format is refused before sending (the kernel would say
     * "Message too long"), with its own exit status, and the other formats are still asked.
     */
    @Test
    void aFormatTooLongForOneDatagramIsNotSentAndExitsThree() {
        CommandRun run = CommandRun.of("", "time", "--port", port(server.udp()), "--timeout", "10s",
                "%Y", "x".repeat(70_000), "%m");
        assertThat(run.status()).as(run.toString()).isEqualTo(3);
        assertThat(run.out()).isEqualTo("2026\n03\n");
        assertThat(run.err()).isEqualTo("time: a format of 70,000 bytes (UTF-8) cannot be sent: the most one UDP"
                + " datagram can carry is 65,507 bytes\n");
    }

    @Test
    void theLongestFormatOneDatagramCarriesIsSent() {
        // Literal text is its own answer, which fits the same datagram size: it comes back whole.
        CommandRun run = CommandRun.of("", "time", "--port", port(server.udp()), "--timeout", "10s",
                "x".repeat(65_507));
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo("x".repeat(65_507) + "\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void helpAndVersion() {
        CommandRun help = CommandRun.of("", "time", "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("Usage: nioreactor time", "--timeout", "--retries", "FORMAT", "%Y-%m-%d-%X");
        assertThat(help.out().replaceAll("\\s+", " ")).contains("3 when a format was longer than one UDP datagram"
                + " can carry (65,507 bytes in UTF-8)");
        CommandRun version = CommandRun.of("", "time", "--version");
        assertThat(version.status()).isZero();
        assertThat(version.out()).startsWith("nioreactor ");
    }

    @Test
    void aZeroTimeoutIsAUsageError() {
        CommandRun run = CommandRun.of("", "time", "--timeout", "0", "%Y");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("--timeout must be positive");
    }
}
