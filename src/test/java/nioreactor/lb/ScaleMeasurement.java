package nioreactor.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nioreactor.load.LoadGenerator;
import nioreactor.load.LoadMode;
import nioreactor.load.LoadResult;
import nioreactor.load.LoadSettings;
import nioreactor.metrics.PrometheusText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code make bench-scale}: the figures of bench/RESULTS.md's "Several reactors" section. For {@code serve
 * --reactors 1}, and {@code --reactors 2} in each accept mode: server CPU per request (user + system time of the
 * server process from /proc, over the measured seconds, divided by the requests answered) at 100 and 1,000 ping-pong
 * connections; how 1,000 connections fall over the reactors; and the accept rate under a connect storm. The load
 * generator runs in this JVM, on loopback; the server is the jar in a child process. Not part of {@code make test}.
 */
@Timeout(600)
class ScaleMeasurement {
    private static final Path JAR = Path.of("target", "nioreactor.jar");
    private static final Pattern TCP = Pattern.compile("upper-echo listening on tcp \\S*:(\\d+)");
    private static final Pattern METRICS = Pattern.compile("metrics listening on http://\\S*:(\\d+)/metrics");
    private static final Duration MEASURE = Duration.ofSeconds(Long.getLong("scale.seconds", 5));
    private static final int ROUNDS = Integer.getInteger("scale.rounds", 2);

    record Server(Process process, InetSocketAddress tcp, InetSocketAddress metrics) {
    }

    @Test
    void measure(@TempDir Path dir) throws Exception {
        assertThat(JAR).as("make jar first").exists();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%n| server | connections | req/s | server CPU per request | "
                + "connections per reactor |%n|---|---:|---:|---:|---|%n"));
        String[][] configs = {{"1", "handoff"}, {"2", "handoff"}, {"2", "reuseport"}};
        for (int conns : Boolean.getBoolean("scale.storm.only") ? new int[0] : new int[] {100, 1000}) {
            for (String[] c : configs) {
                List<Double> cpu = new ArrayList<>();
                List<Double> rate = new ArrayList<>();
                String spread = "";
                for (int round = 0; round < ROUNDS; round++) {
                    Server server = start(dir, c[0], c[1]);
                    try (LoadGenerator load = LoadGenerator.connect(
                            LoadSettings.pingPong(server.tcp(), conns, 64, MEASURE))) {
                        load.run(Duration.ofSeconds(1), Duration.ofSeconds(1), LoadGenerator.Progress.NONE); // warm-up: JIT, buffers
                        long cpu0 = cpuMicros(server.process().pid());
                        LoadResult r = load.run(Duration.ZERO, MEASURE, LoadGenerator.Progress.NONE);
                        long cpu1 = cpuMicros(server.process().pid());
                        assertThat(r.errors()).isZero();
                        cpu.add((cpu1 - cpu0) * 1.0 / r.requests());
                        rate.add(r.requestsPerSecond());
                        spread = perReactor(server.metrics(), "nioreactor_connections_active");
                    } finally {
                        stop(server);
                    }
                }
                out.append(String.format(Locale.ROOT, "| `--reactors %s`%s | %,d | %,.0f | %.2f us | %s |%n", c[0],
                        c[0].equals("1") ? "" : " `--accept-mode " + c[1] + "`", conns, median(rate), median(cpu),
                        spread));
            }
        }

        out.append(String.format(Locale.ROOT, "%n| server | connect storm: connections/s accepted and served |"
                + " server CPU per connection | failed | accepted per reactor (whole run) |%n|---|---:|---:|---:|---|%n"));
        for (String[] c : configs) {
            List<Double> rate = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            long failed = 0;
            String spread = "";
            for (int round = 0; round < ROUNDS; round++) {
                Server server = start(dir, c[0], c[1]);
                try (LoadGenerator storm = LoadGenerator.connect(new LoadSettings(LoadMode.CHURN, server.tcp(), 32,
                        16, 1, Duration.ofSeconds(1), MEASURE, 1))) {
                    storm.run(Duration.ofSeconds(1), Duration.ofSeconds(1), LoadGenerator.Progress.NONE);
                    long cpu0 = cpuMicros(server.process().pid());
                    LoadResult r = storm.run(Duration.ZERO, MEASURE, LoadGenerator.Progress.NONE);
                    long cpu1 = cpuMicros(server.process().pid());
                    rate.add(r.requestsPerSecond());
                    cpu.add((cpu1 - cpu0) * 1.0 / r.requests());
                    failed += r.errors();
                    spread = perReactor(server.metrics(), "nioreactor_connections_accepted_total");
                } finally {
                    stop(server);
                }
            }
            out.append(String.format(Locale.ROOT, "| `--reactors %s`%s | %,.0f | %.1f us | %d | %s |%n", c[0],
                    c[0].equals("1") ? "" : " `--accept-mode " + c[1] + "`", median(rate), median(cpu), failed,
                    spread));
        }
        System.out.println(out);
    }

    /**
     * What one hand-over between reactors costs (a chat line to another reactor's room, a connection handed off, or a
     * command to a keyspace owned by another reactor): a task ping-ponged between two reactors through
     * {@code execute}, each hop a queue offer, a selector wakeup and a select return on the other thread.
     */
    @Test
    void executeHop() throws Exception {
        nioreactor.reactor.Reactor a = nioreactor.reactor.Reactor.builder().name("hop-a").build();
        nioreactor.reactor.Reactor b = nioreactor.reactor.Reactor.builder().name("hop-b").build();
        a.start();
        b.start();
        try {
            List<Double> perHop = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                int trips = 50_000;
                java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
                int[] left = {trips};
                Runnable[] ping = new Runnable[1];
                Runnable pong = () -> a.execute(ping[0]);
                ping[0] = () -> {
                    if (--left[0] == 0) {
                        done.countDown();
                    } else {
                        b.execute(pong);
                    }
                };
                long start = System.nanoTime();
                a.execute(ping[0]);
                assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
                perHop.add((System.nanoTime() - start) / 1e3 / (2.0 * trips));
            }
            System.out.printf(Locale.ROOT, "%nexecute hop between two reactors (idle otherwise, blocking select): "
                    + "median %.1f us per hop over 5 x 50,000 round trips%n", median(perHop));
        } finally {
            a.stop();
            b.stop();
            a.awaitTermination(Duration.ofSeconds(10));
            b.awaitTermination(Duration.ofSeconds(10));
        }
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** e.g. "500 / 500" (reactor-0 / reactor-1), the metrics connection left out; or the one total. */
    private static String perReactor(InetSocketAddress metrics, String name) throws IOException {
        Map<String, Double> samples = PrometheusText.parse(get(metrics));
        List<String> parts = new ArrayList<>();
        for (int i = 0; ; i++) {
            Double v = samples.get(name + "{reactor=\"reactor-" + i + "\"}");
            if (v == null) {
                break;
            }
            parts.add(String.format(Locale.ROOT, "%,.0f", v - (i == 0 && name.endsWith("_active") ? 1 : 0)));
        }
        if (parts.isEmpty()) {
            double v = samples.get(name) - (name.endsWith("_active") ? 1 : 0);
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.join(" / ", parts);
    }

    private static String get(InetSocketAddress metrics) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(metrics, 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return all.substring(all.indexOf("\r\n\r\n") + 4);
        }
    }

    private static Server start(Path dir, String reactors, String mode) throws Exception {
        Path log = Files.createTempFile(dir, "serve", ".log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", JAR.toString(), "serve", "--tcp", "0", "--framed", "-1", "--udp", "-1",
                "--metrics", "0", "--reactors", reactors, "--accept-mode", mode, "--backlog", "4096")
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            String text = Files.readString(log);
            Matcher t = TCP.matcher(text);
            Matcher m = METRICS.matcher(text);
            if (t.find() && m.find()) {
                InetAddress lo = InetAddress.getLoopbackAddress();
                return new Server(p, new InetSocketAddress(lo, Integer.parseInt(t.group(1))),
                        new InetSocketAddress(lo, Integer.parseInt(m.group(1))));
            }
            if (!p.isAlive() || System.nanoTime() > end) {
                p.destroyForcibly();
                throw new AssertionError("serve did not start:\n" + text);
            }
            Thread.sleep(50);
        }
    }

    private static void stop(Server s) throws InterruptedException {
        s.process().destroy();
        if (!s.process().waitFor(20, TimeUnit.SECONDS)) {
            s.process().destroyForcibly();
        }
    }

    /** User + system CPU time of a process, from /proc/PID/stat, in microseconds (10 ms resolution). */
    static long cpuMicros(long pid) throws IOException {
        String stat = Files.readAllLines(Path.of("/proc", Long.toString(pid), "stat")).get(0);
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return ticks * 10_000; // USER_HZ is 100 on every Linux build that matters
    }
}
