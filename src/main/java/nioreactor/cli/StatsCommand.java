package nioreactor.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import nioreactor.metrics.Metric;
import nioreactor.metrics.MetricsTable;
import nioreactor.metrics.PrometheusText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stats}: fetches a running server's {@code /metrics} (started with {@code serve --metrics PORT}) and prints a table. */
@Command(name = "stats", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = "Prints the counters of a server started with `serve --metrics PORT` as a table.")
final class StatsCommand implements Callable<Integer> {
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/\\d\\.\\d \\d{3}[ \\r\\n]");
    /** Far more than the metrics text (a few KiB); a port that streams without end cannot fill our memory. */
    private static final int MAX_ANSWER = 16 << 20;

    @Option(names = "--host", description = "Server address (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", required = true, paramLabel = "PORT", description = "The server's --metrics port.")
    int port;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Connect and read timeout (default: 3s)."
                    + Converters.DURATION_SECONDS)
    Duration timeout = Duration.ofSeconds(3);

    @Option(names = "--interval", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Read twice, this far apart, and add a per-second column for every counter (e.g. select "
                    + "spins, yields and blocks per second; default: off, one reading)." + Converters.DURATION_SECONDS)
    Duration interval = Duration.ZERO;

    private final Terminal terminal;

    StatsCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    /** Why the answer cannot be shown, in words for the user (the URL is printed before it). */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public Integer call() {
        String url = "http://" + hostInUrl() + ":" + port + "/metrics";
        Map<String, Double> samples;
        Map<String, Double> earlier = null;
        long elapsedNanos = 0;
        try {
            samples = samples(fetch());
            if (!interval.isZero()) {
                earlier = samples;
                long start = System.nanoTime();
                Thread.sleep(interval.toMillis());
                samples = samples(fetch());
                elapsedNanos = System.nanoTime() - start;
            }
        } catch (Unreadable e) {
            terminal.err().println("stats: cannot read " + url + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        terminal.out().println("nioreactor metrics from " + url);
        terminal.out().println();
        terminal.out().print(earlier == null ? MetricsTable.format(samples)
                : MetricsTable.format(samples, earlier, elapsedNanos / 1e9));
        terminal.out().flush();
        return 0;
    }

    private String hostInUrl() {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** What a wrong port most likely is: the hint every "this is not it" message ends with. */
    private String notTheMetricsPort() {
        return "is " + port + " the port given to serve --metrics?";
    }

    /**
     * The body of a {@code GET /metrics} answered 200. A plain HTTP/1.0 exchange on a socket rather than
     * {@link java.net.HttpURLConnection}, which reports a port that answers something other than HTTP (an echo
     * service sends the request back) as "HTTP -1 null", and retries some failed requests behind our back.
     */
    private String fetch() throws Unreadable {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new Unreadable("unknown host " + host);
        }
        byte[] answer;
        try (Socket socket = new Socket()) {
            int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
            try {
                socket.connect(address, timeout.isZero() ? 0 : millis);
            } catch (ConnectException e) {
                throw new Unreadable("nothing listens there (connection refused); is serve running with --metrics "
                        + port + "?");
            }
            socket.setSoTimeout(timeout.isZero() ? 0 : millis);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /metrics HTTP/1.0\r\nHost: " + hostInUrl() + ":" + port
                    + "\r\nAccept: text/plain\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            answer = readAnswer(socket.getInputStream());
        } catch (SocketTimeoutException e) { // the connect's
            throw new Unreadable("no connection within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            throw new Unreadable(String.valueOf(e.getMessage()));
        }
        String text = new String(answer, StandardCharsets.UTF_8);
        if (!STATUS_LINE.matcher(text).lookingAt()) {
            throw new Unreadable((answer.length == 0 ? "no HTTP answer: the connection was closed without one"
                    : "no HTTP answer: the port answered something else") + " (" + notTheMetricsPort() + ")");
        }
        int lineEnd = text.indexOf("\r\n");
        String statusLine = lineEnd < 0 ? text.strip() : text.substring(0, lineEnd);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        if (status != 200) {
            throw new Unreadable("not a metrics endpoint: it answered " + statusLine.substring(9).strip()
                    + " (" + notTheMetricsPort() + ")");
        }
        int bodyStart = text.indexOf("\r\n\r\n");
        return bodyStart < 0 ? "" : text.substring(bodyStart + 4);
    }

    /**
     * The answer, read up to the server's close (we asked for {@code Connection: close}), or only its first bytes
     * once they cannot start an HTTP answer: an echo service would otherwise keep us waiting for the timeout.
     */
    private byte[] readAnswer(InputStream in) throws IOException, Unreadable {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            for (int n; answer.size() < MAX_ANSWER && (n = in.read(chunk)) >= 0; ) {
                answer.write(chunk, 0, n);
                if (!couldBeHttp(answer.toByteArray())) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            if (answer.size() == 0) {
                throw new Unreadable("no answer within " + timeout.toMillis() + " ms (" + notTheMetricsPort() + ")");
            }
            if (couldBeHttp(answer.toByteArray())) {
                throw new Unreadable("the answer did not complete within " + timeout.toMillis() + " ms");
            }
        }
        return answer.toByteArray();
    }

    private static boolean couldBeHttp(byte[] start) {
        byte[] http = "HTTP/".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < Math.min(start.length, http.length); i++) {
            if (start[i] != http[i]) {
                return false;
            }
        }
        return true;
    }

    /** The samples of {@code body}, which must be Prometheus text holding nioreactor's counters. */
    private Map<String, Double> samples(String body) throws Unreadable {
        Map<String, Double> samples;
        try {
            samples = PrometheusText.parse(body);
        } catch (IllegalArgumentException e) {
            samples = Map.of();
        }
        if (samples.keySet().stream().noneMatch(name -> name.startsWith(Metric.PREFIX))) {
            throw new Unreadable("not a metrics endpoint: an HTTP answer without nioreactor's Prometheus samples ("
                    + notTheMetricsPort() + ")");
        }
        return samples;
    }
}
