package nioreactor.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import nioreactor.load.LoadFailure;
import nioreactor.load.LoadGenerator;
import nioreactor.load.LoadMode;
import nioreactor.load.LoadResult;
import nioreactor.load.LoadSettings;
import nioreactor.protocol.TimeFormat;
import nioreactor.reactor.TlsContext;
import nioreactor.tls.TlsFiles;

/**
 * The scenarios of {@code make bench}. Every server runs in a process of its own, pinned to the server core; this
 * process (pinned by run.sh to the other core) is the load generator. All servers are started first and stay up, and
 * each scenario is run against every server in turn, so the servers of one table are measured minutes apart at most,
 * under the same background load. The exception: the strategies scenario's spin and backoff servers live only while
 * it runs. Tables go to stdout and to the output Markdown file.
 */
final class ScenarioRunner {

    /** Options, from the command line (run.sh maps the BENCH_* environment variables onto them). */
    private static final class Options {
        Duration seconds = Duration.ofSeconds(1);
        Duration warmup = Duration.ofMillis(500);
        int rounds = 3;
        int[] conns = {1, 10, 100, 1000};
        int bigConns = 10;
        int bigSize = 16 * 1024;
        int framedConns = 10;
        int depth = 16;
        int churnLoops = 8;
        int udpClients = 16;
        int idle = 10_000;
        List<String> servers = List.of("nioreactor", "blocking", "blocking-virtual", "netty-nio", "netty-epoll");
        String jar;
        String jdk = System.getProperty("java.home");
        String jdkNew = "";
        String serverCpu = "";
        String loadCpu = "";
        String python = "python3";
        String seedServer = "bench/seed_time_server.py";
        String out = "bench/results/latest.md";
        String serverOpts = "";
        List<String> scenarios = List.of("pingpong", "strategies", "big", "framed", "churn", "udp", "idle", "unix");
        /** For the TLS servers (kinds ending in -tls): one protocol and one suite, the same for both sides. */
        String tlsProtocol = "TLSv1.3";
        String tlsCipher = "TLS_AES_128_GCM_SHA256";

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i + 1 < args.length; i += 2) {
                String v = args[i + 1];
                switch (args[i]) {
                    case "--seconds" -> o.seconds = Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
                    case "--warmup" -> o.warmup = Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
                    case "--rounds" -> o.rounds = Integer.parseInt(v);
                    case "--conns" -> o.conns = java.util.Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--big-conns" -> o.bigConns = Integer.parseInt(v);
                    case "--big-size" -> o.bigSize = Integer.parseInt(v);
                    case "--framed-conns" -> o.framedConns = Integer.parseInt(v);
                    case "--depth" -> o.depth = Integer.parseInt(v);
                    case "--churn-loops" -> o.churnLoops = Integer.parseInt(v);
                    case "--udp-clients" -> o.udpClients = Integer.parseInt(v);
                    case "--idle" -> o.idle = Integer.parseInt(v);
                    case "--servers" -> o.servers = List.of(v.split(","));
                    case "--jar" -> o.jar = v;
                    case "--jdk" -> o.jdk = v;
                    case "--jdk-new" -> o.jdkNew = v;
                    case "--server-cpu" -> o.serverCpu = v;
                    case "--load-cpu" -> o.loadCpu = v;
                    case "--python" -> o.python = v;
                    case "--seed-server" -> o.seedServer = v;
                    case "--out" -> o.out = v;
                    case "--server-opts" -> o.serverOpts = v;
                    case "--scenarios" -> o.scenarios = List.of(v.split(","));
                    case "--tls-protocol" -> o.tlsProtocol = v;
                    case "--tls-cipher" -> o.tlsCipher = v;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (o.jar == null) {
                throw new IllegalArgumentException("--jar (this jar's path) is required");
            }
            return o;
        }
    }

    /** A server process under test. */
    private static final class ServerUnderTest implements AutoCloseable {
        final String kind;
        final Process process;
        final BufferedReader out;
        final PrintWriter in;
        String jdk = "?";
        int raw;
        int framed;
        int udp;
        /** The AF_UNIX socket file of the upper-echo, or null where the server offers none. */
        String unix;

        ServerUnderTest(String kind, Process process) {
            this.kind = kind;
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        /** Reads lines until one starts with {@code prefix}; fails if the process ends first. */
        String await(String prefix) throws IOException {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IOException(kind + " ended before printing " + prefix + " (see its log under bench/results)");
        }

        Map<String, String> heap() throws IOException {
            in.println("heap");
            return fields(await("HEAP "));
        }

        /** nioreactor's idle-wait counters so far: spins, yields, blocks (zeros for the other servers). */
        Map<String, String> select() throws IOException {
            in.println("select");
            return fields(await("SELECT "));
        }

        /** SIGSTOP: a frozen process uses no CPU (for the spinning server, between its own rounds). */
        void freeze() throws IOException, InterruptedException {
            signal("-STOP");
        }

        /** SIGCONT: undoes {@link #freeze}; harmless on a running process. */
        void thaw() throws IOException, InterruptedException {
            signal("-CONT");
        }

        private void signal(String signal) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IOException("kill " + signal + " " + process.pid() + " failed for " + kind);
            }
        }

        InetSocketAddress address(int port) {
            return new InetSocketAddress("127.0.0.1", port);
        }

        @Override
        public void close() throws InterruptedException {
            in.println("quit");
            in.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /** {@code cpuUtilisation}: share of one core the server process used during the run (warm-up included). */
    private record Row(String server, String jdk, LoadResult result, double cpuUtilisation) {
        /** Server CPU time per request, in microseconds: less sensitive to a busy machine than req/s. */
        double cpuMicrosPerRequest() {
            double rps = result.requestsPerSecond();
            return rps <= 0 ? 0 : cpuUtilisation / rps * 1e6;
        }
    }

    /** CPU time (user + system, every thread) used so far by a process, from /proc; -1 where unknown. */
    static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private final Options o;
    private final StringBuilder markdown = new StringBuilder();
    private final Map<String, ServerUnderTest> servers = new LinkedHashMap<>();

    private Path tlsCert;
    private Path tlsKey;
    /** Null unless this run measures TLS servers. */
    private TlsContext clientTls;

    private ScenarioRunner(Options o) {
        this.o = o;
    }

    static int main(String[] args) throws Exception {
        Options o = Options.parse(args);
        ScenarioRunner runner = new ScenarioRunner(o);
        try {
            runner.runAll();
            return 0;
        } catch (LoadFailure e) {
            System.err.println("bench: WRONG REPLY: " + e.getMessage());
            return 1;
        } finally {
            runner.stopAll();
            Path out = Path.of(o.out);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, runner.markdown.toString());
            System.out.println("written: " + out);
        }
    }

    private void runAll() throws Exception {
        if (o.servers.stream().anyMatch(k -> k.endsWith("-tls"))) {
            makeCertificate();
        }
        header();
        for (String kind : o.servers) {
            start(kind);
        }
        warmUp();
        if (o.scenarios.contains("pingpong")) {
            for (int c : o.conns) {
                tcp("Ping-pong 64 B, " + c + " connection" + (c == 1 ? "" : "s"), LoadMode.RAW, c, 64, 1, s -> s.raw);
            }
        }
        if (o.scenarios.contains("strategies")) {
            strategies();
        }
        if (o.scenarios.contains("big")) {
            tcp("Ping-pong " + (o.bigSize % 1024 == 0 ? o.bigSize / 1024 + " KiB" : o.bigSize + " B") + ", "
                    + o.bigConns + " connections", LoadMode.RAW, o.bigConns, o.bigSize, 1, s -> s.raw);
        }
        if (o.scenarios.contains("framed")) {
            tcp("Framed 64 B, pipelined depth " + o.depth + ", " + o.framedConns + " connections", LoadMode.FRAMED,
                    o.framedConns, 64, o.depth, s -> s.framed);
        }
        if (o.scenarios.contains("churn")) {
            tcp("Connection churn (connect, one 64 B request, close), " + o.churnLoops + " loops at once",
                    LoadMode.CHURN, o.churnLoops, 64, 1, s -> s.raw);
        }
        if (o.scenarios.contains("udp")) {
            udp();
        }
        if (o.scenarios.contains("idle")) {
            idle();
        }
        if (o.scenarios.contains("unix")) {
            unixAgainstTcp();
        }
    }

    private void header() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        line("# nioreactor bench, " + Instant.now().toString().replaceFirst("\\.\\d+Z$", "Z"));
        line("");
        line("- machine: " + Runtime.getRuntime().availableProcessors() + " core(s) visible to the load generator; CPU: "
                + cpu + "; load average at start: " + load);
        line("- servers pinned to core " + (o.serverCpu.isEmpty() ? "(none: taskset unavailable or 1 core)" : o.serverCpu)
                + ", load generator pinned to core " + (o.loadCpu.isEmpty() ? "(none)" : o.loadCpu));
        line("- server JVMs: -XX:+UseG1GC -Xms1g -Xmx1g; Netty with leak detection off (as in production); every server"
                + " warmed up (3 s of load, not recorded) before the first table");
        line("- load generator: java " + System.getProperty("java.version") + " (" + System.getProperty("java.home")
                + "), one nioreactor Reactor thread (outbound connections), closed loop, every reply byte checked");
        line("- each row: the median (by req/s) of " + o.rounds + " rounds of " + o.seconds.toMillis() / 1000.0
                + " s measured after " + o.warmup.toMillis() / 1000.0 + " s warm-up, rounds interleaved across servers,"
                + " on the same connections (the first round warms up 1 s longer, 2 s with 500+ connections);"
                + " latency from request written to reply fully read");
        line("- server CPU: the server process's CPU time (all its threads, from /proc) over the row's wall time; under"
                + " 100% means the server was not the bottleneck. CPU us/req: that CPU time per request, which a busy"
                + " machine disturbs less than req/s.");
        if (clientTls != null) {
            line("- TLS: " + o.tlsProtocol + " with " + o.tlsCipher + " only, on both servers, one self-signed EC P-256"
                    + " certificate (openssl, made for this run); Netty's SslHandler on the JDK provider (SslProvider.JDK),"
                    + " nioreactor's own TLS layer on the same JDK's SSLEngine (delegated tasks on a pool of two, as serve"
                    + " runs them); the load generator is a TLS client through nioreactor's client-mode Connection");
        }
        line("");
        System.out.print(markdown);
    }

    /** The run's certificate, and the client context that trusts it (and offers only the pinned protocol and suite). */
    private void makeCertificate() throws Exception {
        Path dir = Path.of(o.out).toAbsolutePath().getParent().resolve("tls");
        Files.createDirectories(dir);
        tlsCert = dir.resolve("cert.pem");
        tlsKey = dir.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:P-256", "-nodes", "-keyout", tlsKey.toString(), "-out", tlsCert.toString(), "-days",
                "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl could not make the bench certificate");
        }
        clientTls = TlsContext.client(TlsFiles.client(tlsCert, false, null, null))
                .protocols(List.of(o.tlsProtocol)).cipherSuites(List.of(o.tlsCipher)).build();
    }

    /** The client TLS settings for a TLS server, null for the others. */
    private TlsContext tlsFor(ServerUnderTest s) {
        return s.kind.endsWith("-tls") ? clientTls : null;
    }

    private String titled(String title) {
        return clientTls == null ? title : "TLS (" + o.tlsProtocol + ", " + o.tlsCipher + "): " + title;
    }

    // ----------------------------------------------------------------------------------------- servers

    private void start(String kind) throws IOException {
        ServerUnderTest s = launch(kind);
        if (s != null) {
            servers.put(kind, s);
        }
    }

    /** Starts one server process and waits until it listens; null if it cannot run here. */
    private ServerUnderTest launch(String kind) throws IOException {
        boolean virtual = kind.equals("blocking-virtual");
        if (virtual && o.jdkNew.isEmpty()) {
            System.out.println("skipping blocking-virtual: no JDK 21+ found");
            return null;
        }
        String java = (virtual ? o.jdkNew : o.jdk) + "/bin/java";
        List<String> cmd = new ArrayList<>();
        if (!o.serverCpu.isEmpty()) {
            cmd.addAll(List.of("taskset", "-c", o.serverCpu));
        }
        // G1 named explicitly: pinned to one core the JVM would pick Serial GC, which is not what these servers run with
        // elsewhere, and whose System.gc() was seen to keep closed connections' objects (the idle figure needs both).
        cmd.addAll(List.of(java, "-XX:+UseG1GC", "-Xms1g", "-Xmx1g", "-Dio.netty.leakDetection.level=disabled",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        if (tlsCert != null) {
            cmd.addAll(List.of("-Dbench.tls.cert=" + tlsCert, "-Dbench.tls.key=" + tlsKey,
                    "-Dbench.tls.protocol=" + o.tlsProtocol, "-Dbench.tls.cipher=" + o.tlsCipher));
        }
        if (!o.serverOpts.isBlank()) {
            cmd.addAll(List.of(o.serverOpts.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", o.jar, BenchMain.class.getName(), "serve", kind));
        Path log = Path.of(o.out).toAbsolutePath().getParent().resolve(kind + ".log");
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        ServerUnderTest s = new ServerUnderTest(kind, p);
        Map<String, String> ready = fields(s.await("READY "));
        s.raw = Integer.parseInt(ready.get("raw"));
        s.framed = Integer.parseInt(ready.get("framed"));
        s.udp = Integer.parseInt(ready.get("udp"));
        s.unix = ready.getOrDefault("unix", "-").equals("-") ? null : ready.get("unix");
        s.jdk = ready.get("jdk");
        System.out.printf("started %-16s on JDK %-8s (%s) raw %d, framed %d, udp %s%n", kind, s.jdk, java, s.raw,
                s.framed, s.udp == 0 ? "-" : s.udp);
        return s;
    }

    /**
     * Before the first table, every server gets two seconds of raw and framed load that is not recorded, so the JIT
     * compiles its hot paths here and not in the first rows (Netty has more code to compile than the others).
     */
    private void warmUp() throws IOException, InterruptedException {
        System.out.println("warming up every server (2 s raw + 1 s framed each, not recorded)");
        for (ServerUnderTest s : servers.values()) {
            warmUp(s);
        }
    }

    private void warmUp(ServerUnderTest s) throws IOException, InterruptedException {
        for (boolean framed : new boolean[] {false, true}) {
            LoadSettings settings = new LoadSettings(framed ? LoadMode.FRAMED : LoadMode.RAW,
                    s.address(framed ? s.framed : s.raw), 10, framed ? 64 : 512, framed ? 4 : 1, Duration.ZERO,
                    Duration.ofSeconds(framed ? 1 : 2), 1);
            try (LoadGenerator load = LoadGenerator.connect(settings, tlsFor(s))) {
                load.run(LoadGenerator.Progress.NONE);
            }
        }
    }

    private void stopAll() {
        for (ServerUnderTest s : servers.values()) {
            try {
                s.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                s.process.destroyForcibly();
            }
        }
    }

    // --------------------------------------------------------------------------------------- scenarios

    private void tcp(String title, LoadMode mode, int conns, int size, int depth, ToIntFunction<ServerUnderTest> port)
            throws Exception {
        Map<String, List<Row>> rounds = new LinkedHashMap<>();
        Map<String, LoadGenerator> loads = new LinkedHashMap<>();
        try {
            // One set of connections per server for all the rounds: fresh connections need a while to run at full
            // speed (1,000 of them took over half a second here, for every server), which a short round would measure.
            for (ServerUnderTest s : servers.values()) {
                loads.put(s.kind, LoadGenerator.connect(new LoadSettings(mode, s.address(port.applyAsInt(s)), conns,
                        size, depth, o.warmup, o.seconds, 1), tlsFor(s)));
            }
            for (int round = 0; round < o.rounds; round++) {
                Duration warmup = round == 0 ? o.warmup.plus(firstRoundExtraWarmup(conns)) : o.warmup;
                for (ServerUnderTest s : servers.values()) {
                    rounds.computeIfAbsent(s.kind, k -> new ArrayList<>())
                            .add(measure(s.kind, s.jdk, s.process.pid(), loads.get(s.kind), warmup));
                }
            }
        } finally {
            loads.values().forEach(LoadGenerator::close);
        }
        table(titled(title), medians(rounds));
    }

    /** Churn opens new connections all the time anyway; the others get a second more, two for many connections. */
    private static Duration firstRoundExtraWarmup(int conns) {
        return Duration.ofMillis(conns >= 500 ? 2_000 : 1_000);
    }

    /**
     * The round with the median req/s of each server. Rounds are short and interleaved across servers, so a burst of
     * background load (other builds on this machine) spreads over all servers instead of sinking one of them.
     */
    private static List<Row> medians(Map<String, List<Row>> rounds) {
        List<Row> rows = new ArrayList<>();
        for (List<Row> r : rounds.values()) {
            List<Row> sorted = new ArrayList<>(r);
            sorted.sort(java.util.Comparator.comparingDouble(x -> x.result().requestsPerSecond()));
            rows.add(sorted.get(sorted.size() / 2));
        }
        return rows;
    }

    private Row measure(String name, String jdk, long pid, LoadSettings settings) throws IOException, InterruptedException {
        try (LoadGenerator load = LoadGenerator.connect(settings)) {
            return measure(name, jdk, pid, load, settings.warmup());
        }
    }

    private Row measure(String name, String jdk, long pid, LoadGenerator load, Duration warmup)
            throws InterruptedException {
        System.out.printf("  %-16s %s ... ", name, load.settings().describe());
        System.out.flush();
        long cpu0 = cpuNanos(pid);
        long t0 = System.nanoTime();
        LoadResult r = load.run(warmup, o.seconds, LoadGenerator.Progress.NONE);
        long cpu1 = cpuNanos(pid);
        double utilisation = cpu0 < 0 || cpu1 < 0 ? 0 : (cpu1 - cpu0) / (double) (System.nanoTime() - t0);
        Row row = new Row(name, jdk, r, utilisation);
        System.out.printf("%s  server cpu %.0f%%, %.1f us/req%n", r.summary(), utilisation * 100, row.cpuMicrosPerRequest());
        return row;
    }

    // ------------------------------------------------------------------------------- select strategies

    /** The strategies scenario's peers, from the servers started for every scenario, in table order. */
    private static final List<String> STRATEGY_PEERS = List.of("netty-nio", "netty-epoll", "blocking");
    private static final int[] STRATEGY_CONNS = {1, 10, 100};
    private static final Duration IDLE_CPU_WINDOW = Duration.ofSeconds(5);
    private static final int IDLE_CPU_CONNS = 100;

    private static String strategyLabel(String kind) {
        return switch (kind) {
            case "nioreactor" -> "nioreactor block";
            case "nioreactor-spin" -> "nioreactor spin";
            case "nioreactor-backoff" -> "nioreactor backoff";
            default -> kind;
        };
    }

    /**
     * Issue 13: 64 B ping-pong at 1, 10 and 100 connections with nioreactor under each select strategy, against the
     * peers of the same run, then each strategy's CPU with its connections open and silent. The two extra servers
     * live only for this scenario, so the other tables are measured without them. Every server shares the server
     * core, and a spinning server would take it from whichever server is being measured: the spin server is frozen
     * (SIGSTOP) except during its own rounds. The backoff server blocks when idle, as the idle table checks.
     */
    private void strategies() throws Exception {
        Map<String, ServerUnderTest> extra = new LinkedHashMap<>();
        try {
            for (String kind : List.of("nioreactor-spin", "nioreactor-backoff")) {
                ServerUnderTest s = launch(kind);
                extra.put(kind, s);
                System.out.println("warming up " + kind + " (2 s raw + 1 s framed, not recorded)");
                warmUp(s);
                if (kind.equals("nioreactor-spin")) {
                    s.freeze();
                }
            }
            ServerUnderTest spin = extra.get("nioreactor-spin");
            List<ServerUnderTest> lineUp = new ArrayList<>();
            if (servers.containsKey("nioreactor")) {
                lineUp.add(servers.get("nioreactor"));
            }
            lineUp.addAll(extra.values());
            for (String kind : STRATEGY_PEERS) {
                if (servers.containsKey(kind)) {
                    lineUp.add(servers.get(kind));
                }
            }

            line("## Select strategies (issue 13)");
            line("");
            line("nioreactor under `--select-strategy block` (the `nioreactor` server of the other tables), `spin` and"
                    + " `backoff` (`--spin-for` 50 us), against the other servers, 64 B ping-pong. The spin and backoff"
                    + " servers run only during this scenario; the spin server is frozen (SIGSTOP) except during its own"
                    + " rounds, since a spinning process would take the shared server core from every other row.");
            line("");
            System.out.print("== select strategies\n");
            Map<Integer, List<Row>> byConns = new LinkedHashMap<>();
            for (int c : STRATEGY_CONNS) {
                List<Row> rows = strategyRows(c, lineUp, spin);
                byConns.put(c, rows);
                table("Select strategies: ping-pong 64 B, " + c + " connection" + (c == 1 ? "" : "s"), rows);
            }
            strategySummary(byConns);
            List<ServerUnderTest> nioreactors = new ArrayList<>(lineUp);
            nioreactors.removeIf(s -> !s.kind.startsWith("nioreactor"));
            idleCpu(nioreactors, spin);
        } finally {
            for (ServerUnderTest s : extra.values()) {
                try {
                    s.thaw(); // a stopped process would never read its quit
                } finally {
                    s.close();
                }
            }
        }
    }

    /** One connection count: every server's connections opened first, then interleaved rounds; the medians. */
    private List<Row> strategyRows(int conns, List<ServerUnderTest> lineUp, ServerUnderTest spin) throws Exception {
        Map<String, List<Row>> rounds = new LinkedHashMap<>();
        Map<String, LoadGenerator> loads = new LinkedHashMap<>();
        try {
            for (ServerUnderTest s : lineUp) {
                // The spin server accepts while thawed: opening connections is not measured.
                if (s == spin) {
                    s.thaw();
                }
                try {
                    loads.put(s.kind, LoadGenerator.connect(new LoadSettings(LoadMode.RAW, s.address(s.raw), conns, 64,
                            1, o.warmup, o.seconds, 1)));
                } finally {
                    if (s == spin) {
                        s.freeze();
                    }
                }
            }
            for (int round = 0; round < o.rounds; round++) {
                Duration warmup = round == 0 ? o.warmup.plus(firstRoundExtraWarmup(conns)) : o.warmup;
                for (ServerUnderTest s : lineUp) {
                    if (s == spin) {
                        s.thaw();
                    }
                    try {
                        String label = strategyLabel(s.kind);
                        rounds.computeIfAbsent(s.kind, k -> new ArrayList<>())
                                .add(measure(label, s.jdk, s.process.pid(), loads.get(s.kind), warmup));
                    } finally {
                        if (s == spin) {
                            s.freeze();
                        }
                    }
                }
            }
        } finally {
            loads.values().forEach(LoadGenerator::close);
        }
        return medians(rounds);
    }

    /** req/s against Netty NIO at each connection count, and the 1-connection latency, in one table. */
    private void strategySummary(Map<Integer, List<Row>> byConns) {
        List<String> t = new ArrayList<>();
        t.add("## Select strategies: req/s against Netty NIO at the same connection count");
        t.add("");
        StringBuilder head = new StringBuilder("| server |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int c : byConns.keySet()) {
            head.append(" ").append(c).append(" conn").append(c == 1 ? "" : "s").append(" |");
            rule.append("---:|");
        }
        t.add(head + " p50 / p99 at 1 conn (us) | server CPU at 1 conn |");
        t.add(rule + "---:|---:|");
        List<Row> first = byConns.values().iterator().next();
        for (Row r : first) {
            StringBuilder row = new StringBuilder("| " + r.server() + " |");
            for (List<Row> rows : byConns.values()) {
                double base = rows.stream().filter(x -> x.server().equals("netty-nio")).findFirst()
                        .map(x -> x.result().requestsPerSecond()).orElse(0.0);
                double mine = rows.stream().filter(x -> x.server().equals(r.server())).findFirst()
                        .map(x -> x.result().requestsPerSecond()).orElse(0.0);
                row.append(base > 0 ? String.format(" %.2fx |", mine / base) : " - |");
            }
            row.append(String.format(" %,.0f / %,.0f | %.0f%% |", r.result().p50Micros(), r.result().p99Micros(),
                    r.cpuUtilisation() * 100));
            t.add(row.toString());
        }
        t.add("");
        for (String l : t) {
            System.out.println(l);
            line(l);
        }
    }

    /**
     * Each strategy's server with {@value #IDLE_CPU_CONNS} connections open and silent (each has answered one ping):
     * its process's CPU over {@link #IDLE_CPU_WINDOW} from /proc (1 s after the last reply, so backoff has settled),
     * and its idle-wait counters over the same window.
     */
    private void idleCpu(List<ServerUnderTest> nioreactors, ServerUnderTest spin) throws Exception {
        List<String> t = new ArrayList<>();
        t.add("## Select strategies: server CPU while idle");
        t.add("");
        t.add("Connections open but silent (" + IDLE_CPU_CONNS + ", each having answered one 64 B ping 1 s before),"
                + " CPU of the whole server process over " + IDLE_CPU_WINDOW.toSeconds() + " s, from /proc (10 ms"
                + " ticks: 0.2% resolution); the loop's spins, yields and blocking selects over the same window.");
        t.add("");
        t.add("| server | idle server CPU | spins/s | yields/s | blocking selects/s |");
        t.add("|---|---:|---:|---:|---:|");
        System.out.println("== select strategies: server CPU while idle (" + IDLE_CPU_CONNS + " silent connections, "
                + IDLE_CPU_WINDOW.toSeconds() + " s each)");
        System.out.println(t.get(t.size() - 2));
        System.out.println(t.get(t.size() - 1));
        for (ServerUnderTest s : nioreactors) {
            if (s == spin) {
                s.thaw();
            }
            try (LoadGenerator load = LoadGenerator.connect(new LoadSettings(LoadMode.RAW, s.address(s.raw),
                    IDLE_CPU_CONNS, 64, 1, Duration.ZERO, Duration.ZERO, 1))) {
                load.pingEach(Duration.ofSeconds(60));
                Thread.sleep(1_000);
                Map<String, String> sel0 = s.select();
                long cpu0 = cpuNanos(s.process.pid());
                long t0 = System.nanoTime();
                Thread.sleep(IDLE_CPU_WINDOW.toMillis());
                long cpu1 = cpuNanos(s.process.pid());
                double wall = (System.nanoTime() - t0) / 1e9;
                Map<String, String> sel1 = s.select();
                String row = String.format("| %s | %.1f%% | %,.0f | %,.0f | %,.0f |", strategyLabel(s.kind),
                        cpu0 < 0 || cpu1 < 0 ? 0 : (cpu1 - cpu0) / 1e9 / wall * 100,
                        delta(sel0, sel1, "spins") / wall, delta(sel0, sel1, "yields") / wall,
                        delta(sel0, sel1, "blocks") / wall);
                System.out.println(row);
                t.add(row);
            } finally {
                if (s == spin) {
                    s.freeze();
                }
            }
        }
        t.add("");
        for (String l : t) {
            line(l);
        }
    }

    private static double delta(Map<String, String> before, Map<String, String> after, String field) {
        return Long.parseLong(after.get(field)) - Long.parseLong(before.get(field));
    }

    private void udp() throws Exception {
        Map<String, List<Row>> rounds = new LinkedHashMap<>();
        int port;
        try (DatagramSocket probe = new DatagramSocket(0)) {
            port = probe.getLocalPort(); // free now; the seed server binds it a moment later
        }
        List<String> cmd = new ArrayList<>();
        if (!o.serverCpu.isEmpty()) {
            cmd.addAll(List.of("taskset", "-c", o.serverCpu));
        }
        cmd.addAll(List.of(o.python, o.seedServer, Integer.toString(port)));
        Process python = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String version = pythonVersion();
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
            awaitUdp(target);
            for (int round = 0; round < o.rounds; round++) {
                for (ServerUnderTest s : servers.values()) {
                    if (s.udp != 0 && (s.kind.equals("nioreactor") || s.kind.equals("blocking"))) {
                        String name = s.kind.equals("blocking") ? "blocking DatagramSocket" : s.kind;
                        rounds.computeIfAbsent(name, k -> new ArrayList<>())
                                .add(measure(name, s.jdk, s.process.pid(), udpSettings(s.address(s.udp))));
                    }
                }
                rounds.computeIfAbsent("seed Python server", k -> new ArrayList<>())
                        .add(measure("seed Python server", "python " + version, python.pid(), udpSettings(target)));
            }
        } finally {
            python.destroy();
            python.waitFor(5, TimeUnit.SECONDS);
        }
        table("UDP time, default format, " + o.udpClients + " closed-loop clients", medians(rounds), "seed Python server",
                "seed Python");
    }

    private LoadSettings udpSettings(InetSocketAddress target) {
        return new LoadSettings(LoadMode.UDP_TIME, target, o.udpClients, 0, 1, o.warmup, o.seconds, 1);
    }

    private String pythonVersion() {
        try {
            Process p = new ProcessBuilder(o.python, "-c", "import platform; print(platform.python_version())").start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return v;
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    /** Waits until the freshly started Python server answers (it takes a moment to start). */
    private static void awaitUdp(InetSocketAddress target) throws IOException {
        byte[] request = TimeFormat.DEFAULT_FORMAT.getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(200);
            for (int i = 0; i < 50; i++) {
                s.send(new DatagramPacket(request, request.length, target));
                try {
                    s.receive(new DatagramPacket(new byte[1024], 1024));
                    return;
                } catch (SocketTimeoutException e) {
                    // not up yet
                }
            }
        }
        throw new IOException("the seed Python server did not answer on " + target);
    }

    /**
     * The same nioreactor process, the same upper-echo handlers, the same reactor thread, the same load: once over
     * loopback TCP and once over its AF_UNIX socket file, rounds interleaved. What differs is the kernel path under the
     * socket calls: TCP's segments, ACKs, checksums (skipped on loopback, but computed for), congestion window and the
     * loopback device; AF_UNIX copies from one socket's buffer to the other's.
     */
    private void unixAgainstTcp() throws Exception {
        ServerUnderTest s = servers.get("nioreactor");
        if (s == null || s.unix == null) {
            System.out.println("skipping unix: the nioreactor server is not running");
            return;
        }
        int[][] cases = {{1, 64}, {100, 64}, {o.bigConns, o.bigSize}};
        for (int[] c : cases) {
            int conns = c[0];
            int size = c[1];
            Map<String, List<Row>> rounds = new LinkedHashMap<>();
            Map<String, LoadGenerator> loads = new LinkedHashMap<>();
            try {
                loads.put("nioreactor, loopback TCP", LoadGenerator.connect(new LoadSettings(LoadMode.RAW,
                        s.address(s.raw), conns, size, 1, o.warmup, o.seconds, 1)));
                loads.put("nioreactor, AF_UNIX", LoadGenerator.connect(new LoadSettings(LoadMode.RAW,
                        UnixDomainSocketAddress.of(s.unix), conns, size, 1, o.warmup, o.seconds, 1)));
                for (int round = 0; round < o.rounds; round++) {
                    Duration warmup = round == 0 ? o.warmup.plus(firstRoundExtraWarmup(conns)) : o.warmup;
                    for (Map.Entry<String, LoadGenerator> e : loads.entrySet()) {
                        rounds.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                                .add(measure(e.getKey(), s.jdk, s.process.pid(), e.getValue(), warmup));
                    }
                }
            } finally {
                loads.values().forEach(LoadGenerator::close);
            }
            String what = size % 1024 == 0 ? size / 1024 + " KiB" : size + " B";
            table("AF_UNIX against loopback TCP: ping-pong " + what + ", " + conns + " connection" + (conns == 1 ? "" : "s")
                    + " (the same nioreactor server)", medians(rounds), "nioreactor, loopback TCP", "TCP");
        }
    }

    private void idle() throws Exception {
        line("## " + titled("Idle connections: heap per connection"));
        line("");
        line("Each server: heap used after a full GC (`System.gc()` in the server process) with " + o.idle
                + " connections open, each having answered one 64 B ping, minus the same figure without them (the lower of"
                + " before opening and after closing), divided by the count. Heap only: thread stacks (blocking servers) and Netty's pooled direct buffers"
                + " are native memory, so the resident-set growth (RSS, from /proc, coarser) is shown beside it.");
        line("");
        line("| server | JDK | connections | heap / conn (B) | RSS / conn (B) | server threads |");
        line("|---|---|---:|---:|---:|---:|");
        System.out.println("== idle connections");
        for (ServerUnderTest s : servers.values()) {
            Map<String, String> before = s.heap();
            LoadSettings settings = new LoadSettings(LoadMode.RAW, s.address(s.raw), o.idle, 64, 1, Duration.ZERO,
                    Duration.ZERO, 1);
            Map<String, String> open;
            try (LoadGenerator load = LoadGenerator.connect(settings, tlsFor(s))) {
                load.pingEach(Duration.ofSeconds(60));
                open = s.heap();
            }
            Thread.sleep(2_000); // let the server notice the closes and drop its connections
            Map<String, String> closed = s.heap();
            // The baseline is the lower of before and after: the first connections can grow tables that never
            // shrink (the selector's key map), which the "after" figure keeps and a per-connection cost should not.
            long base = Math.min(Long.parseLong(before.get("used")), Long.parseLong(closed.get("used")));
            long heap = (Long.parseLong(open.get("used")) - base) / o.idle;
            long rss = (Long.parseLong(open.get("rss")) - Long.parseLong(before.get("rss"))) / o.idle;
            String row = String.format("| %s | %s | %,d | %,d | %,d | %s |", s.kind, s.jdk, o.idle, heap, rss,
                    open.get("threads"));
            System.out.println(row);
            line(row);
        }
        line("");
    }

    // ------------------------------------------------------------------------------------------ output

    private void table(String title, List<Row> rows) {
        if (rows.stream().anyMatch(r -> r.server().equals("netty-nio-tls"))) {
            table(title, rows, "netty-nio-tls", "Netty SslHandler");
        } else {
            table(title, rows, "netty-nio", "Netty NIO");
        }
    }

    private void table(String title, List<Row> rows, String baselineServer, String baselineLabel) {
        double base = rows.stream().filter(r -> r.server().equals(baselineServer)).findFirst()
                .map(r -> r.result().requestsPerSecond()).orElse(0.0);
        List<String> t = new ArrayList<>();
        t.add("## " + title);
        t.add("");
        t.add("| server | JDK | req/s | p50 (us) | p99 (us) | p99.9 (us) | max (us) | errors | vs " + baselineLabel
                + " | server CPU | CPU us/req |");
        t.add("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            LoadResult x = r.result();
            t.add(String.format("| %s | %s | %,.0f | %,.0f | %,.0f | %,.0f | %,.0f | %d | %s | %.0f%% | %.2f |", r.server(),
                    r.jdk(), x.requestsPerSecond(), x.p50Micros(), x.p99Micros(), x.p999Micros(), x.maxMicros(),
                    x.errors(), base > 0 ? String.format("%.2fx", x.requestsPerSecond() / base) : "-",
                    r.cpuUtilisation() * 100, r.cpuMicrosPerRequest()));
        }
        t.add("");
        for (String l : t) {
            System.out.println(l);
            line(l);
        }
    }

    private void line(String l) {
        markdown.append(l).append('\n');
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : line.split("\\s+")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                m.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return m;
    }
}
