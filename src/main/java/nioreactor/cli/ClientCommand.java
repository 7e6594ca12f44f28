package nioreactor.cli;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLException;
import nioreactor.client.ClientTls;
import nioreactor.client.EchoClient;
import nioreactor.client.FramedClient;
import nioreactor.client.LineSession;
import nioreactor.client.Timeouts;
import nioreactor.client.UpperClient;
import nioreactor.server.ServerConfig;
import nioreactor.tls.TlsFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code client}: the seed's interactive TCP client done right. Like the seed it strips each line and skips empty
 * ones; unlike it, it reads the whole answer (the seed's single {@code recv(1024)} cuts long lines) and stops cleanly
 * at end of input instead of dying in {@code input()}.
 */
@Command(name = "client", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = {"Sends each line of standard input to the upper-echo server and prints the answer.",
            "Lines are stripped of surrounding white space and empty ones skipped, as in the seed tutorial's client."})
final class ClientCommand implements Callable<Integer> {

    @Option(names = "--host", description = "Server address (default: ${DEFAULT-VALUE}).")
    String host = ServerConfig.DEFAULT_HOST;

    @Option(names = "--port", paramLabel = "PORT",
            description = "Server port (default: " + ServerConfig.DEFAULT_TCP_PORT + ", or "
                    + ServerConfig.DEFAULT_FRAMED_PORT + " with --framed).")
    Integer port;

    @Option(names = "--unix", paramLabel = "PATH",
            description = "Connect to the AF_UNIX socket file at PATH (serve --unix-tcp, or --unix-framed with --framed) instead of --host/--port.")
    Path unix;

    @Option(names = "--framed", description = "Use the length-prefixed framed protocol instead of the raw stream.")
    boolean framed;

    @Option(names = "--lines",
            description = "Line mode, for line protocols such as serve --chat: send each line as typed, print whatever the server sends as it arrives, until it closes.")
    boolean lines;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "How long to wait for the connection (default: 5s; off waits forever)."
                    + Converters.DURATION_SECONDS)
    Duration connectTimeout = Timeouts.DEFAULT_CONNECT;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "How long the server may stay silent while an answer is due (default: 10s; off waits forever)."
                    + Converters.DURATION_SECONDS)
    Duration readTimeout = Timeouts.DEFAULT_READ;

    @Mixin
    TlsClientOptions tlsOptions = new TlsClientOptions();

    @Spec
    CommandSpec spec;

    private final Terminal terminal;

    ClientCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    int port() {
        if (port != null) {
            return port;
        }
        if (tlsOptions.tls) {
            return framed ? ServerConfig.DEFAULT_TLS_FRAMED_PORT : ServerConfig.DEFAULT_TLS_TCP_PORT;
        }
        return framed ? ServerConfig.DEFAULT_FRAMED_PORT : ServerConfig.DEFAULT_TCP_PORT;
    }

    @Override
    public Integer call() {
        if (port() < 1 || port() > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be between 1 and 65535");
        }
        if (lines) {
            if (tlsOptions.tls) {
                throw new ParameterException(spec.commandLine(), "--lines does not speak TLS yet; drop --tls");
            }
            if (framed) {
                throw new ParameterException(spec.commandLine(), "--lines and --framed cannot be combined");
            }
            if (unix != null) {
                throw new ParameterException(spec.commandLine(), "--lines and --unix cannot be combined");
            }
            return LineSession.run(new InetSocketAddress(host, port()), new Timeouts(connectTimeout, readTimeout),
                    terminal.in(), terminal.out(), terminal.err());
        }
        String where = unix != null ? unix.toString() : host + ":" + port();
        SocketAddress server = unix != null ? UnixDomainSocketAddress.of(unix) : new InetSocketAddress(host, port());
        Timeouts timeouts = new Timeouts(connectTimeout, readTimeout);
        EchoClient client;
        try {
            ClientTls tls = tlsOptions.settings(spec.commandLine(), host);
            client = framed ? FramedClient.connect(server, timeouts, tls) : UpperClient.connect(server, timeouts, tls);
        } catch (TlsFileException e) {
            terminal.err().println("client: " + e.getMessage());
            return 2;
        } catch (SSLException e) {
            terminal.err().println("client: cannot connect to " + where + ": " + tlsOptions.explain(e));
            return 1;
        } catch (UnknownHostException e) {
            terminal.err().println("client: cannot connect to " + where + ": unknown host");
            return 1;
        } catch (IOException e) {
            terminal.err().println("client: cannot connect to " + where + ": " + e.getMessage());
            return 1;
        }
        try (client) {
            return session(client, where);
        } catch (IOException closing) {
            return 0; // the session is over and every answer printed; a failing close changes nothing
        }
    }

    private int session(EchoClient client, String where) {
        // Lines and answers are UTF-8 whatever the platform's default charset, so what is typed comes back intact.
        PrintStream out = new PrintStream(terminal.out(), true, StandardCharsets.UTF_8);
        Lines lines = new Lines(terminal);
        while (true) {
            String line;
            try {
                line = lines.next();
            } catch (IOException e) {
                terminal.err().println("client: cannot read standard input: " + e.getMessage());
                return 1;
            }
            if (line == null) {
                return 0;
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue; // the seed's "if not use_choose: continue": an empty send would get no answer to wait for
            }
            byte[] request = line.getBytes(StandardCharsets.UTF_8);
            byte[] answer;
            try {
                answer = client.send(request);
            } catch (SocketTimeoutException e) {
                terminal.err().println("client: no answer from " + where + " within " + readTimeout.toMillis() + " ms");
                return 1;
            } catch (EOFException e) {
                terminal.err().println("client: " + where + " closed the connection" + framedHint(request));
                return 1;
            } catch (IOException e) {
                terminal.err().println("client: connection to " + where + " lost: " + e.getMessage() + framedHint(request));
                return 1;
            }
            out.println(new String(answer, StandardCharsets.UTF_8));
        }
    }

    /**
     * The framed server closes a connection whose frame is longer than its {@code --max-frame}, without a word: the
     * client is the one that knows how long the line was, so it says so.
     */
    private String framedHint(byte[] request) {
        if (!framed) {
            return "";
        }
        return String.format(Locale.ROOT, " after a line of %,d bytes (UTF-8), sent as one frame; the server's --max-frame"
                + " (1 MiB by default) may be smaller", request.length);
    }

    /** Standard input as UTF-8 lines, with a {@code "> "} prompt before each when a person is typing. */
    static final class Lines {
        private final Terminal terminal;
        private final BufferedReader reader;

        Lines(Terminal terminal) {
            this.terminal = terminal;
            this.reader = new BufferedReader(new InputStreamReader(terminal.in(), StandardCharsets.UTF_8));
        }

        /** The next line without its terminator, or null at end of input. */
        String next() throws IOException {
            if (terminal.interactive()) {
                terminal.out().print("> ");
                terminal.out().flush();
            }
            return reader.readLine();
        }
    }
}
