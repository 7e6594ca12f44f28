package nioreactor.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import nioreactor.client.CommandRun;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code client --lines}, the real command line, against the chat room and the upper-echo. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientLinesTest {
    private Server server;

    @BeforeEach
    void start() throws Exception {
        server = Server.start(ServerConfig.builder().ephemeralPorts().chatPort(0).build());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aChatSessionPrintsWhatArrivesAndTheOthersSeeItsLines() throws Exception {
        try (ChatPeer other = ChatPeer.join(server.chatAddress())) {
            CommandRun run = CommandRun.of("/nick cli\nhello room\n/who\n/quit\n",
                    "client", "--lines", "--port", CommandRun.port(server.chatAddress()));
            assertThat(run.status()).as(run.toString()).isZero();
            String joined = other.readLine();
            String id = joined.substring(2, joined.indexOf(' ', 2));
            // The client's own port is its socket's, unknown here: /who shows each member's address.
            assertThat(run.out()).matches(java.util.regex.Pattern.quote("* you are " + id + "; 1 other here\n"
                    + "* you are now cli\n"
                    + "* 2 here: #" + other.id + " " + other.at() + ", " + id + " cli 127.0.0.1:") + "\\d+"
                    + java.util.regex.Pattern.quote(" (you)\n* bye\n"));
            assertThat(run.err()).isEmpty();
            assertThat(other.readLine()).isEqualTo("* " + id + " is now cli");
            assertThat(other.readLine()).isEqualTo("cli: hello room");
            assertThat(other.readLine()).isEqualTo("* cli left (quit)");
        }
    }

    @Test
    void endOfInputSendsFinAndPrintsWhatTheServerStillSends() {
        // The upper-echo answers and closes after the client's FIN; a last line without a newline gets one.
        CommandRun run = CommandRun.of("abc\nlast", "client", "--lines", "--port", CommandRun.port(server.tcpAddress()));
        assertThat(run.status()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("ABC\nLAST\n");
    }

    @Test
    void linesAndFramedDoNotMix() {
        CommandRun run = CommandRun.of("", "client", "--lines", "--framed", "--port", "1");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("--lines and --framed cannot be combined");
    }
}
