package nioreactor.robustness;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import nioreactor.testing.Eventually;

/**
 * {@code nioreactor serve} in a child JVM, for the faults that need a process of their own: a descriptor limit
 * ({@code prlimit}), a signal, an exit status. Its log (stderr) goes to a file the test reads; the port comes from the
 * "listening on" line, since the child binds port 0.
 */
final class ChildServe implements AutoCloseable {
    private static final Pattern TCP_PORT = Pattern.compile("upper-echo listening on tcp \\S*:(\\d+)");
    private static final Pattern METRICS_PORT = Pattern.compile("metrics listening on http://\\S*:(\\d+)/metrics");

    private final Process process;
    private final Path log;

    private ChildServe(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code wrapper... java -cp <classes and runtime jars> nioreactor.cli.Main serve serveArgs...}. The class
     * path holds only what serve needs (not the whole test class path), so a child under a low descriptor limit
     * does not spend its descriptors on jars it never uses.
     */
    static ChildServe start(Path dir, List<String> wrapper, List<String> jvmArgs, String... serveArgs)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("serve"));
        args.addAll(List.of(serveArgs));
        return startMain(dir, wrapper, jvmArgs, "nioreactor.cli.Main", args);
    }

    /** Starts another main class (e.g. one from the test classes) the same way; it must log the listening line. */
    static ChildServe startMain(Path dir, List<String> wrapper, List<String> jvmArgs, String mainClass,
                                List<String> args) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(runtimeClassPath(dir));
        command.add(mainClass);
        command.addAll(args);
        Path log = Files.createTempFile(dir, "child", ".log");
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        return new ChildServe(p, log);
    }

    static boolean commandAvailable(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The child's class path: the classes it needs and the runtime jars. Class directories are packed into jars
     * first, as users run the server from a jar: a class loaded lazily from a directory opens a file, which fails
     * under EMFILE (a NoClassDefFoundError no deployment would see), while a jar stays open and costs nothing more.
     */
    private static String runtimeClassPath(Path dir) throws IOException {
        List<String> entries = new ArrayList<>();
        for (String className : List.of("nioreactor.cli.Main", ChildServe.class.getName(), "org.slf4j.LoggerFactory",
                "org.slf4j.simple.SimpleLogger", "picocli.CommandLine", "org.HdrHistogram.Histogram")) {
            Path entry;
            try {
                Class<?> c = Class.forName(className, false, ChildServe.class.getClassLoader());
                entry = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (ClassNotFoundException | URISyntaxException e) {
                throw new IllegalStateException("cannot locate " + className + " for the child's class path", e);
            }
            if (Files.isDirectory(entry)) {
                entry = jar(entry, dir.resolve(entries.size() + "-" + entry.getFileName() + ".jar"));
            }
            if (!entries.contains(entry.toString())) {
                entries.add(entry.toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static Path jar(Path classes, Path jar) throws IOException {
        if (Files.exists(jar)) {
            return jar;
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The upper-echo port, once the child has logged it. */
    InetSocketAddress tcpAddress() throws InterruptedException {
        Eventually.until(() -> TCP_PORT.matcher(log()).find() || !process.isAlive(),
                () -> "the child's listening line; log so far:\n" + log());
        Matcher m = TCP_PORT.matcher(log());
        if (!m.find()) {
            throw new AssertionError("the child exited (" + process.exitValue() + ") before listening:\n" + log());
        }
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
    }

    /** The metrics port, once the child has logged it (serve --metrics 0). */
    InetSocketAddress metricsAddress() throws InterruptedException {
        tcpAddress(); // the metrics line comes after the upper-echo line
        Matcher m = METRICS_PORT.matcher(log());
        if (!m.find()) {
            throw new AssertionError("no metrics listening line:\n" + log());
        }
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of the log containing {@code text}. */
    long logLines(String text) {
        return log().lines().filter(l -> l.contains(text)).count();
    }

    /** User plus system CPU time the child has used so far, from /proc/PID/stat (fields 14 and 15, in ticks). */
    Duration cpuTime() throws IOException {
        String stat = Files.readAllLines(Path.of("/proc", Long.toString(pid()), "stat")).get(0); // readString sees size 0
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // the name may hold spaces
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return Duration.ofMillis(ticks * 1000 / clockTicksPerSecond());
    }

    private static long clockTicksPerSecond() throws IOException {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (InterruptedException | NumberFormatException e) {
            return 100; // USER_HZ on every Linux build that matters
        }
    }

    /** Whether the child ignores {@code signal} (SigIgn in /proc/PID/status), e.g. SIGINT in a background job. */
    boolean ignores(int signal) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                return (mask & (1L << (signal - 1))) != 0;
            }
        }
        return false;
    }

    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " failed");
        }
    }

    /** The exit status, or fails if the child is still running after {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the child did not exit within " + timeout + "; log:\n" + log());
        }
        return process.exitValue();
    }

    /** Not {@code throws InterruptedException}: a resource whose close may throw it is a javac -Xlint warning. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the kill is sent; whoever interrupted us decides what next
            }
        }
    }
}
