package nioreactor.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import nioreactor.metrics.MetricsTable;
import nioreactor.metrics.PrometheusText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stats}: fetches a running server's {@code /metrics} (started with {@code serve --metrics PORT}) and prints a table. */
@Command(name = "stats", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Prints the counters of a server started with `serve --metrics PORT` as a table.")
final class StatsCommand implements Callable<Integer> {

    @Option(names = "--host", description = "Server address (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", required = true, paramLabel = "PORT", description = "The server's --metrics port.")
    int port;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Connect and read timeout (default: 3s)."
                    + Converters.DURATION_SECONDS)
    Duration timeout = Duration.ofSeconds(3);

    private final Terminal terminal;

    StatsCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/metrics";
        Map<String, Double> samples;
        try {
            samples = PrometheusText.parse(fetch(url));
        } catch (IOException | IllegalArgumentException e) {
            terminal.err().println("stats: cannot read " + url + ": " + e.getMessage());
            return 1;
        }
        terminal.out().println("nioreactor metrics from " + url);
        terminal.out().println();
        terminal.out().print(MetricsTable.format(samples));
        terminal.out().flush();
        return 0;
    }

    private String fetch(String url) throws IOException {
        HttpURLConnection http = (HttpURLConnection) new URL(url).openConnection();
        try {
            http.setConnectTimeout((int) timeout.toMillis());
            http.setReadTimeout((int) timeout.toMillis());
            int status = http.getResponseCode();
            if (status != 200) {
                throw new IOException("HTTP " + status + " " + http.getResponseMessage());
            }
            try (InputStream in = http.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } finally {
            http.disconnect();
        }
    }
}
