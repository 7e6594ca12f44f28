import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nioreactor.bench.LoadGenerator;
import nioreactor.bench.LoadResult;
import nioreactor.bench.LoadSettings;

/**
 * What two open dashboards cost the 100-connection 64 B ping-pong (bench/dashboard.sh runs this). One server
 * ({@code serve --metrics}, its own JVM pinned to core 0), one load generator (this JVM, core 1), and rounds
 * interleaved A B B A: without a dashboard, then with two subscribers reading {@code GET /events} as fast as it comes
 * ({@code curl -N}, like a tab), so that drift on a shared machine hits both alike. Prints each round and the medians.
 *
 * <p>Usage: {@code java -cp target/nioreactor.jar bench/DashboardOverhead.java JAR ROUNDS SECONDS [JAR2]}; with a second
 * jar (e.g. one built from main), its server is measured without dashboards in the same interleaving, for the cost of
 * the core changes themselves.
 */
public class DashboardOverhead {
    record Server(String name, Process process, InetSocketAddress echo, int metricsPort) {
    }

    public static void main(String[] args) throws Exception {
        String jar = args[0];
        int rounds = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        List<Server> servers = new ArrayList<>();
        servers.add(start("dash", jar));
        if (args.length > 3) {
            servers.add(start("base", args[3]));
        }
        Map<String, List<Double>> results = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        List<Double> pairedRate = new ArrayList<>();
        List<Double> pairedCpu = new ArrayList<>();
        try {
            Map<Server, LoadGenerator> gens = new LinkedHashMap<>();
            for (Server s : servers) {
                LoadGenerator g = LoadGenerator.connect(LoadSettings.pingPong(s.echo(), 100, 64, Duration.ofSeconds(seconds)));
                g.run(Duration.ofSeconds(3), Duration.ofSeconds(1), LoadGenerator.Progress.NONE); // JIT warm-up
                gens.put(s, g);
            }
            for (int r = 0; r < rounds; r++) {
                List<String> order = new ArrayList<>();
                for (Server s : servers) {
                    order.add(s.name() + " off");
                    if (s.name().equals("dash")) {
                        order.add("dash 2 dashboards");
                    }
                }
                if (r % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (String config : order) {
                    Server s = servers.stream().filter(x -> config.startsWith(x.name())).findFirst().orElseThrow();
                    List<Process> tabs = new ArrayList<>();
                    if (config.endsWith("dashboards")) {
                        for (int i = 0; i < 2; i++) {
                            tabs.add(new ProcessBuilder("curl", "-sN", "http://127.0.0.1:" + s.metricsPort() + "/events",
                                    "-o", "/dev/null").start());
                        }
                        Thread.sleep(500); // subscribed, first snapshot out
                    }
                    long cpuBefore = cpuTicks(s.process().pid());
                    LoadResult result = gens.get(s).run(Duration.ZERO, Duration.ofSeconds(seconds),
                            LoadGenerator.Progress.NONE);
                    long cpuTicks = cpuTicks(s.process().pid()) - cpuBefore;
                    for (Process t : tabs) {
                        t.destroy();
                        t.waitFor();
                    }
                    Thread.sleep(300);
                    results.computeIfAbsent(config, k -> new ArrayList<>()).add(result.requestsPerSecond());
                    // CPU ticks are 10 ms; the server's CPU time per request is the steadier figure on a busy machine.
                    double usPerRequest = cpuTicks * 10_000.0 / result.requests();
                    cpu.computeIfAbsent(config, k -> new ArrayList<>()).add(usPerRequest);
                    List<Double> offRates = results.getOrDefault("dash off", List.of());
                    List<Double> onRates = results.getOrDefault("dash 2 dashboards", List.of());
                    if (offRates.size() == r + 1 && onRates.size() == r + 1 && config.startsWith("dash")) {
                        // both of this round are in, measured next to each other: their ratio drifts least
                        pairedRate.add(onRates.get(r) / offRates.get(r));
                        pairedCpu.add(cpu.get("dash 2 dashboards").get(r) / cpu.get("dash off").get(r));
                    }
                    System.out.printf("round %d  %-20s %,10.0f req/s  p99 %,6.0f us  server CPU %.2f us/req%n", r + 1,
                            config, result.requestsPerSecond(), result.p99Micros(), usPerRequest);
                }
            }
            for (LoadGenerator g : gens.values()) {
                g.close();
            }
        } finally {
            for (Server s : servers) {
                s.process().destroy();
                s.process().waitFor();
            }
        }
        System.out.println();
        System.out.println("| configuration | median req/s | median server CPU us/req | req/s of each round |");
        System.out.println("|---|---|---|---|");
        double off = 0;
        for (Map.Entry<String, List<Double>> e : results.entrySet()) {
            double median = median(e.getValue());
            if (e.getKey().equals("dash off")) {
                off = median;
            }
            System.out.printf("| %s | %,.0f | %.2f | %s |%n", e.getKey(), median, median(cpu.get(e.getKey())),
                    e.getValue().stream().map(v -> String.format("%,.0f", v)).toList());
        }
        System.out.printf("paired (same round, back to back), median of %d: 2 dashboards vs none: req/s %+.1f %%, "
                + "server CPU per request %+.1f %%%n", pairedRate.size(), 100 * (median(pairedRate) - 1),
                100 * (median(pairedCpu) - 1));
        for (Map.Entry<String, List<Double>> e : results.entrySet()) {
            if (!e.getKey().equals("dash off")) {
                System.out.printf("%s vs dash off: req/s %+.1f %%, CPU per request %+.1f %%%n", e.getKey(),
                        100 * (median(e.getValue()) / off - 1),
                        100 * (median(cpu.get(e.getKey())) / median(cpu.get("dash off")) - 1));
            }
        }
    }

    /** utime + stime of a process, in clock ticks (1/100 s), from /proc/PID/stat. */
    static long cpuTicks(long pid) throws Exception {
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static Server start(String name, String jar) throws Exception {
        Process p = new ProcessBuilder("taskset", "-c", "0", "java", "-jar", jar, "serve", "--tcp", "0", "--framed",
                "-1", "--udp", "-1", "--metrics", "0").redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Pattern tcp = Pattern.compile("upper-echo listening on tcp 127\\.0\\.0\\.1:(\\d+)");
        Pattern http = Pattern.compile("metrics listening on http://127\\.0\\.0\\.1:(\\d+)/");
        InetSocketAddress echo = null;
        int metrics = -1;
        String line;
        while ((echo == null || metrics < 0) && (line = out.readLine()) != null) {
            Matcher m = tcp.matcher(line);
            if (m.find()) {
                echo = new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
            }
            m = http.matcher(line);
            if (m.find()) {
                metrics = Integer.parseInt(m.group(1));
            }
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe from filling
                }
            } catch (Exception ignored) {
                // ended
            }
        });
        drain.setDaemon(true);
        drain.start();
        if (echo == null || metrics < 0) {
            throw new IllegalStateException(name + ": serve did not start");
        }
        return new Server(name, p, echo, metrics);
    }
}
