package nioreactor.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import nioreactor.load.BlockingUpperServer;
import nioreactor.load.LoadFailure;
import nioreactor.load.LoadGenerator;
import nioreactor.load.LoadResult;
import nioreactor.load.LoadSettings;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code compare}: the design card's "compare with a blocking server", for users. Starts nioreactor and a blocking
 * thread-per-connection server in this process, drives each with the same closed-loop load, and prints a table.
 * Everything shares this JVM and its cores, so it shows the shape of the difference (threads, heap, latency under
 * many connections), not a benchmark: {@code make bench} is the careful measurement.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        // The first line is what `nioreactor --help` lists: a whole sentence of its own.
        description = {"Load-tests nioreactor and a blocking thread-per-connection server side by side.",
            "Runs the same ping-pong load against both, in this process, and prints requests/s, latency, server "
                + "threads and heap used."})
final class CompareCommand implements Callable<Integer> {

    @Option(names = "--conns", paramLabel = "N", description = "Client connections (default: ${DEFAULT-VALUE}).")
    int connections = 100;

    @Option(names = "--size", paramLabel = "BYTES", description = "Request size in bytes (default: ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = "--seconds", paramLabel = "S", description = "Measured seconds per server, after 1 s of warm-up (default: ${DEFAULT-VALUE}).")
    int seconds = 5;

    @Spec
    CommandSpec spec;

    private final Terminal terminal;

    CompareCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    private record Row(String server, LoadResult result, int threads, long heapBytes) {
    }

    /** What a server under test must tell the table besides the load's numbers. */
    private interface Subject extends AutoCloseable {
        InetSocketAddress address();

        int serverThreads();

        @Override
        void close();
    }

    @Override
    public Integer call() {
        // The in-process servers' lifecycle lines (listening on, shutdown summary) would break into the progress line
        // and the table; slf4j-simple reads this when the Server logger is created, i.e. on first use below.
        System.setProperty("org.slf4j.simpleLogger.log." + Server.class.getName(), "warn");
        PrintStream out = terminal.out();
        LoadSettings settings;
        try {
            settings = LoadSettings.pingPong(new InetSocketAddress("127.0.0.1", 1), connections, size,
                    Duration.ofSeconds(seconds));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (seconds < 1) {
            throw new ParameterException(spec.commandLine(), "--seconds must be >= 1");
        }
        out.printf("compare: %s, %d s each after 1 s warm-up, in one JVM (java %s, %d cores)%n",
                settings.describe(), seconds, System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        List<Row> rows = new ArrayList<>();
        try {
            rows.add(measure("nioreactor", settings, this::startReactor));
            rows.add(measure("blocking (thread per connection)", settings, this::startBlocking));
        } catch (LoadFailure e) {
            terminal.err().println("compare: wrong reply: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            terminal.err().println("compare: " + e.getMessage());
            if (String.valueOf(e.getMessage()).contains("Too many open files")) {
                terminal.err().printf("compare: each connection takes two descriptors in this process (client and server"
                        + " side): raise the limit (ulimit -n) or use fewer --conns than %d%n", connections);
            }
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
        printTable(out, rows);
        return 0;
    }

    private interface Starter {
        Subject start() throws IOException;
    }

    private Subject startReactor() throws IOException {
        Server server = Server.start(ServerConfig.builder().ephemeralPorts().udpPort(ServerConfig.DISABLED)
                .framedPort(ServerConfig.DISABLED).reactorName("compare-reactor").build());
        return new Subject() {
            public InetSocketAddress address() {
                return server.tcpAddress();
            }

            public int serverThreads() {
                return 1; // the reactor thread serves every connection
            }

            public void close() {
                server.close();
            }
        };
    }

    private Subject startBlocking() throws IOException {
        BlockingUpperServer server = BlockingUpperServer.start(new InetSocketAddress("127.0.0.1", 0), false, false);
        return new Subject() {
            public InetSocketAddress address() {
                return server.address();
            }

            public int serverThreads() {
                return server.liveThreads();
            }

            public void close() {
                server.close();
            }
        };
    }

    private Row measure(String name, LoadSettings settings, Starter starter) throws IOException, InterruptedException {
        long heapBefore = heapAfterGc();
        try (Subject subject = starter.start();
             LoadGenerator load = LoadGenerator.connect(settings.withTarget(subject.address()))) {
            LoadResult result = load.run((elapsed, total, requests) -> terminal.out().printf(
                    "\r  %-34s %5.1f / %.1f s  %,12d requests measured", name, elapsed / 1000.0, total / 1000.0, requests));
            terminal.out().println();
            // Measured with the connections still open: what serving them costs, the generator's share included.
            long heap = Math.max(0, heapAfterGc() - heapBefore);
            return new Row(name, result, subject.serverThreads(), heap);
        }
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void printTable(PrintStream out, List<Row> rows) {
        out.println();
        out.printf("| %-34s | %12s | %9s | %9s | %14s | %14s | %6s |%n",
                "server", "req/s", "p50 (us)", "p99 (us)", "server threads", "heap used", "errors");
        out.printf("|%s|%s|%s|%s|%s|%s|%s|%n", "-".repeat(36), "-".repeat(14), "-".repeat(11), "-".repeat(11),
                "-".repeat(16), "-".repeat(16), "-".repeat(8));
        for (Row r : rows) {
            LoadResult x = r.result();
            out.printf("| %-34s | %,12.0f | %,9.0f | %,9.0f | %,14d | %,10d KiB | %6d |%n", r.server(),
                    x.requestsPerSecond(), x.p50Micros(), x.p99Micros(), r.threads(), r.heapBytes() / 1024, x.errors());
        }
        out.println();
        out.println("Heap used: growth after a full GC with the connections open, over the same figure before the");
        out.println("server started (both server and load generator share this JVM). For pinned, per-process numbers");
        out.println("against Netty too, run `make bench`.");
    }
}
