package nioreactor.cli;

import static nioreactor.client.CommandRun.port;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import nioreactor.client.ClosedPorts;
import nioreactor.client.CommandRun;
import nioreactor.client.RunningServer;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.UnixSockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientCommandTest {
    private static final int SMALL_MAX_FRAME = 16;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @RegisterExtension
    static final RunningServer smallFrames = RunningServer.withMaxFrame(SMALL_MAX_FRAME);

    @Test
    void rawSessionPrintsEachAnswerOnItsOwnLine() {
        CommandRun run = CommandRun.of("hello\nWorld 123\n", "client", "--port", port(server.tcp()));
        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("HELLO\nWORLD 123\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void framedSessionPrintsEachAnswerOnItsOwnLine() {
        CommandRun run = CommandRun.of("hello\nWorld 123\n", "client", "--framed", "--port", port(server.framed()));
        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("HELLO\nWORLD 123\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void aLongLineComesBackWholeInBothModes() {
        String line = "abc".repeat(100 * 1024 / 3 + 1); // just over 100 KiB
        String script = line + "\nshort\n";
        String expected = line.toUpperCase() + "\nSHORT\n";
        CommandRun raw = CommandRun.of(script, "client", "--port", port(server.tcp()));
        assertThat(raw.status()).as(raw.err()).isZero();
        assertThat(raw.out()).isEqualTo(expected);
        CommandRun framed = CommandRun.of(script, "client", "--framed", "--port", port(server.framed()));
        assertThat(framed.status()).as(framed.err()).isZero();
        assertThat(framed.out()).isEqualTo(expected);
    }

    @Test
    void unicodeLinesComeBackWithOnlyAsciiLettersChanged() {
        String script = "héllo wörld ß\n世界 abc\n😀 ok\n";
        String expected = "HéLLO WöRLD ß\n世界 ABC\n😀 OK\n";
        for (String mode : new String[] {"--port", "--framed"}) {
            String[] args = mode.equals("--port")
                    ? new String[] {"client", "--port", port(server.tcp())}
                    : new String[] {"client", "--framed", "--port", port(server.framed())};
            CommandRun run = CommandRun.of(script, args);
            assertThat(run.status()).as(run.toString()).isZero();
            assertThat(run.out()).isEqualTo(expected);
        }
    }

    @Test
    void unixSessionsInBothModes() throws Exception {
        Path dir = UnixSockets.shortDir();
        try (Server unix = Server.start(ServerConfig.builder().tcpPort(-1).framedPort(-1).udpPort(-1)
                .unixTcpPath(dir.resolve("u.sock")).unixFramedPath(dir.resolve("f.sock")).build())) {
            CommandRun raw = CommandRun.of("hello\nWorld 123\n", "client", "--unix", unix.unixTcpPath().toString());
            assertThat(raw.status()).as(raw.toString()).isZero();
            assertThat(raw.out()).isEqualTo("HELLO\nWORLD 123\n");
            CommandRun framed = CommandRun.of("hello\n", "client", "--framed", "--unix", dir.resolve("f.sock").toString());
            assertThat(framed.status()).as(framed.toString()).isZero();
            assertThat(framed.out()).isEqualTo("HELLO\n");
        } finally {
            UnixSockets.deleteTree(dir);
        }
    }

    @Test
    void aUnixPathWithNobodyListeningIsNamed() {
        CommandRun run = CommandRun.of("hello\n", "client", "--unix", "/tmp/nioreactor-nobody-here.sock");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("client: cannot connect to /tmp/nioreactor-nobody-here.sock: ");
    }

    @Test
    void emptyLinesAreSkippedAndLinesStrippedLikeTheSeed() {
        CommandRun run = CommandRun.of("\n   \n  padded  \n\t\nlast", "client", "--port", port(server.tcp()));
        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("PADDED\nLAST\n");
    }

    @Test
    void endOfInputAtOnceIsAQuietSuccess() {
        CommandRun run = CommandRun.of("", "client", "--port", port(server.tcp()));
        assertThat(run.status()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEmpty();
    }

    @Test
    void promptsOnlyWhenAPersonIsTyping() {
        CommandRun typed = CommandRun.of("hi\n", true, "client", "--port", port(server.tcp()));
        assertThat(typed.status()).as(typed.toString()).isZero();
        assertThat(typed.out()).isEqualTo("> HI\n> ");
        CommandRun piped = CommandRun.of("hi\n", false, "client", "--port", port(server.tcp()));
        assertThat(piped.out()).isEqualTo("HI\n");
    }

    @Test
    void aRefusedConnectionIsOneLineOnStderrAndStatusOne() throws IOException {
        InetSocketAddress nobody = ClosedPorts.tcp();
        CommandRun run = CommandRun.of("hello\n", "client", "--port", port(nobody));
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("client: cannot connect to 127.0.0.1:" + nobody.getPort()
                + ": Connection refused\n");
    }

    @Test
    void aConnectionTheServerEndsIsOneLineOnStderrAndStatusOne() {
        // A line longer than the server's maximum frame makes it close the connection.
        CommandRun run = CommandRun.of("ok\n" + "x".repeat(SMALL_MAX_FRAME + 1) + "\nnever sent\n",
                "client", "--framed", "--port", port(smallFrames.framed()));
        assertThat(run.status()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("OK\n");
        // The server says nothing about why; the client knows how long the line was and says so.
        assertThat(run.err()).matches("client: (127\\.0\\.0\\.1:\\d+ closed the connection"
                + "|connection to 127\\.0\\.0\\.1:\\d+ lost: .*) after a line of 17 bytes \\(UTF-8\\), sent as one"
                + " frame; the server's --max-frame \\(1 MiB by default\\) may be smaller\n");
    }

    @Test
    void framedModeDefaultsToTheFramedPort() {
        ClientCommand raw = parse();
        ClientCommand framed = parse("--framed");
        ClientCommand chosen = parse("--framed", "--port", "9000");
        assertThat(raw.port()).isEqualTo(8082);
        assertThat(framed.port()).isEqualTo(8083);
        assertThat(chosen.port()).isEqualTo(9000);
    }

    @Test
    void helpAndVersion() {
        CommandRun help = CommandRun.of("", "client", "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("Usage: nioreactor client", "--host", "--port", "--framed", "--timeout");
        CommandRun version = CommandRun.of("", "client", "--version");
        assertThat(version.status()).isZero();
        assertThat(version.out()).startsWith("nioreactor ");
    }

    @Test
    void aBadPortIsAUsageError() {
        CommandRun run = CommandRun.of("", "client", "--port", "70000");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("--port must be between 1 and 65535");
    }

    private static ClientCommand parse(String... args) {
        Terminal terminal = new Terminal(new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()), false);
        ClientCommand command = new ClientCommand(terminal);
        new CommandLine(command).parseArgs(args);
        return command;
    }
}
