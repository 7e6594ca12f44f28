package nioreactor.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import nioreactor.client.NoReplyException;
import nioreactor.client.TimeClient;
import nioreactor.client.TimeReply;
import nioreactor.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code time}: the seed's UDP time client, with a timeout and retries since UDP may lose any datagram. */
@Command(name = "time", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = {"Asks the time service for the current time in each strftime FORMAT and prints each answer.",
            "Without FORMAT, each line of standard input is one format (stripped of surrounding white space, as in "
                + "the seed tutorial's client); an empty line asks for the default, %%Y-%%m-%%d-%%X. "
                + "Put -- before a FORMAT that starts with '-'.",
            "Exit status: 0 when every format was answered; 1 when the server did not answer (after the retries); "
                + "2 when it answered ERR to at least one format (the ERR line goes to standard error), or the "
                + "command line is wrong; 3 when a format was longer than one UDP datagram can carry (65,507 bytes "
                + "in UTF-8), so it was not sent (the others still are)."})
final class TimeCommand implements Callable<Integer> {

    @Option(names = "--host", description = "Server address (default: ${DEFAULT-VALUE}).")
    String host = ServerConfig.DEFAULT_HOST;

    @Option(names = "--port", paramLabel = "PORT", description = "Server UDP port (default: ${DEFAULT-VALUE}).")
    int port = ServerConfig.DEFAULT_UDP_PORT;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "How long each attempt waits for the answer (default: 1s)."
                    + Converters.DURATION_SECONDS)
    Duration timeout = TimeClient.DEFAULT_TIMEOUT;

    @Option(names = "--retries", paramLabel = "N",
            description = "How often a request is sent again after a timeout (default: ${DEFAULT-VALUE}).")
    int retries = TimeClient.DEFAULT_RETRIES;

    @Parameters(paramLabel = "FORMAT", arity = "0..*", description = "strftime formats, e.g. %%H:%%M:%%S.")
    List<String> formats = List.of();

    @Spec
    CommandSpec spec;

    private final Terminal terminal;

    TimeCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new ParameterException(spec.commandLine(), "--timeout must be positive");
        }
        if (port < 1 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be between 1 and 65535");
        }
        if (retries < 0) {
            throw new ParameterException(spec.commandLine(), "--retries must be 0 or more");
        }
        String where = host + ":" + port;
        // Answers are UTF-8 (formats may hold any text) whatever the platform's default charset.
        PrintStream out = new PrintStream(terminal.out(), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(terminal.err(), true, StandardCharsets.UTF_8);
        try (TimeClient client = TimeClient.open(new InetSocketAddress(host, port), timeout, retries)) {
            int status = 0;
            if (!formats.isEmpty()) {
                for (String format : formats) {
                    status = Math.max(status, ask(client, format, out, err));
                }
                return status;
            }
            ClientCommand.Lines lines = new ClientCommand.Lines(terminal);
            for (String line = lines.next(); line != null; line = lines.next()) {
                status = Math.max(status, ask(client, line.strip(), out, err));
            }
            return status;
        } catch (UnknownHostException e) {
            err.println("time: unknown host " + host);
            return 1;
        } catch (NoReplyException e) {
            err.println("time: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("time: cannot ask " + where + ": " + e.getMessage());
            return 1;
        }
    }

    /** Exit status 3: a format no datagram can carry. Not 2, which says the server answered ERR. */
    static final int FORMAT_TOO_LONG = 3;

    /** Prints the answer to {@code format}; returns 2 for an ERR answer, 3 for a format too long to send, else 0. */
    private static int ask(TimeClient client, String format, PrintStream out, PrintStream err) throws IOException {
        int bytes = format.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > TimeClient.MAX_FORMAT_BYTES) {
            // Checked here, before sending: the kernel's own answer would be "Message too long" (EMSGSIZE).
            err.println("time: " + TimeClient.tooLong(bytes));
            return FORMAT_TOO_LONG;
        }
        TimeReply reply = client.ask(format);
        if (reply.isError()) {
            err.println(reply.text());
            return 2;
        }
        out.println(reply.text());
        return 0;
    }
}
