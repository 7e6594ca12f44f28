package nioreactor.soak;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.ReactorStats;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;

/**
 * {@code make soak}: a long run of mixed, hostile traffic against an in-process server (long echo conversations,
 * framed churn, resets, slow readers, UDP noise), every reply checked. Prints bytes sent and verified, errors, and
 * the process's descriptors and heap at start and end, so a slow leak shows. Exits 1 on any error or leak.
 *
 * <pre>java -cp target/nioreactor.jar nioreactor.soak.Soak [--duration 10m] [--report 30s]</pre>
 */
public final class Soak {
    /** Descriptors the JVM may open for itself during a run (a jar, a JIT or GC file); a leak grows without end. */
    private static final int DESCRIPTOR_SLACK = 4;

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        Duration duration = Duration.ofMinutes(10);
        Duration report = Duration.ofSeconds(30);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--duration" -> duration = parse(args[++i]);
                case "--report" -> report = parse(args[++i]);
                default -> {
                    System.err.println("usage: Soak [--duration 10m] [--report 30s]");
                    System.exit(2);
                }
            }
        }
        System.exit(run(duration, report) ? 0 : 1);
    }

    static boolean run(Duration duration, Duration report) throws Exception {
        Server server = Server.start(ServerConfig.builder().ephemeralPorts().build());
        Tally tally = new Tally();
        int fdStart = descriptors();
        long heapStart = heapAfterGc();
        System.out.printf("soak: %s of mixed load against %s (echo), %s (framed), %s (udp)%n", duration,
                server.tcpAddress(), server.framedAddress(), server.udpAddress());
        System.out.printf("soak: start: %d descriptors, heap %,d KiB after GC%n", fdStart, heapStart >> 10);

        List<Load> loads = List.of(
                new EchoLoad(server.tcpAddress(), tally, 1), new EchoLoad(server.tcpAddress(), tally, 2),
                new FramedLoad(server.framedAddress(), tally, 3), new FramedLoad(server.framedAddress(), tally, 4),
                new ResetLoad(server.tcpAddress(), server.framedAddress(), tally, 5),
                new SlowReaderLoad(server.tcpAddress(), tally, 6), new SlowReaderLoad(server.tcpAddress(), tally, 7),
                new TimeLoad(server.udpAddress(), tally, 8));
        long deadline = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (Load load : loads) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() - deadline < 0) {
                    try {
                        load.round();
                    } catch (Exception e) {
                        tally.error(load.name(), e);
                    }
                }
            }, "soak-" + load.name());
            t.start();
            threads.add(t);
        }
        long started = System.nanoTime();
        while (System.nanoTime() - deadline < 0) {
            Thread.sleep(Math.min(report.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            ReactorStats s = server.stats();
            System.out.printf("soak: %4ds: %s; server: %d open, %d pending B, peak/conn %,d B, %d descriptors%n",
                    (System.nanoTime() - started) / 1_000_000_000, tally.line(), s.connectionsActive(), s.bytesPending(),
                    s.peakConnectionPending(), descriptors());
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(120));
            if (t.isAlive()) {
                tally.error(t.getName(), new IllegalStateException("still running two minutes after the deadline"));
            }
        }

        ReactorStats s = server.stats();
        Reactor.ShutdownSummary summary = server.shutdown(Duration.ofSeconds(10));
        int fdEnd = settledDescriptors(fdStart);
        long heapEnd = heapAfterGc();
        System.out.printf("soak: end: %s%n", tally.line());
        System.out.printf("soak: server: %,d accepted, %,d rejected, %,d read B, %,d written B, %,d abandoned B, "
                        + "%,d backpressure pauses, %,d frames, %,d datagrams in / %,d out / %,d dropped, %,d ERR, "
                        + "%d handler errors, %d selector rebuilds, peak pending per connection %,d B%n",
                s.connectionsAccepted(), s.connectionsRejected(), s.bytesRead(), s.bytesWritten(), s.bytesAbandoned(),
                s.backpressurePauses(), s.service("frames_total"), s.datagramsIn(), s.datagramsOut(), s.datagramsDropped(), s.service("err_replies_total"),
                s.handlerErrors(), s.selectorRebuilds(), s.peakConnectionPending());
        System.out.printf("soak: closes: peer-eof %,d, reset %,d, protocol-error %,d, idle %,d, shutdown %,d%n",
                s.closed(CloseReason.PEER_EOF), s.closed(CloseReason.RESET), s.closed(CloseReason.PROTOCOL_ERROR),
                s.closed(CloseReason.IDLE), s.closed(CloseReason.SHUTDOWN));
        System.out.printf("soak: shutdown: %d connections closed, %,d B flushed, %,d B abandoned%n",
                summary.connectionsClosed(), summary.bytesFlushed(), summary.bytesAbandoned());
        System.out.printf("soak: descriptors %d at start, %d at end; heap %,d KiB at start, %,d KiB at end (after GC)%n",
                fdStart, fdEnd, heapStart >> 10, heapEnd >> 10);
        boolean leak = fdStart >= 0 && fdEnd > fdStart + DESCRIPTOR_SLACK;
        boolean ok = tally.errors.get() == 0 && !leak && s.handlerErrors() == 0;
        System.out.println("soak: " + (ok ? "PASS" : "FAIL" + (leak ? " (descriptor leak)" : "")));
        return ok;
    }

    /** The descriptor count once closing sockets are gone (the server's listeners are closed by now too). */
    private static int settledDescriptors(int target) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int n = descriptors();
        while (n > target && System.nanoTime() - until < 0) {
            Thread.sleep(100);
            n = descriptors();
        }
        return n;
    }

    /** Open descriptors of this process (Linux /proc), or -1 where that cannot be seen. */
    static int descriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static Duration parse(String text) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("a duration like 90s or 10m, got " + text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
