package nioreactor.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nioreactor.protocol.Upper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code make test-lb}: HAProxy (the recipe in {@code deploy/haproxy.cfg}, its ports substituted) in front of three
 * {@code serve --proxy-protocol --drain-delay} processes, under verified load; one backend gets SIGTERM, another
 * SIGKILL. Not part of {@code make test} (it needs the haproxy binary and the jar, and runs ~40 s): the name does not
 * match surefire's includes, and {@code make test-lb} names it. It never skips: a missing haproxy or jar fails it.
 *
 * <p>Every figure comes from the clients' own verification and from the backends' logs: each backend logs (DEBUG,
 * turned on for that one class) the client port of every PROXY v2 header it reads, which is how a client connection
 * is mapped to the backend that served it.
 */
@Timeout(240)
class HaproxyLoadBalancingCheck {
    private static final Path JAR = Path.of("target", "nioreactor.jar");
    private static final Path RECIPE = Path.of("deploy", "haproxy.cfg");
    /** The recipe's ports, in the order they are substituted: the front door, then each backend's service and metrics. */
    private static final String[] RECIPE_PORTS = {"8082", "18082", "18090", "28082", "28090", "38082", "38090"};

    private static final Duration DRAIN_DELAY = Duration.ofSeconds(4);
    private static final long SIGTERM_AT_MILLIS = 6_000;
    private static final long SIGKILL_AT_MILLIS = 9_000;
    private static final long LOAD_FOR_MILLIS = 20_000;
    /**
     * How soon after a backend's /health turns 503 (or its process dies) HAProxy must stop sending it new
     * connections: the recipe's checks are {@code inter 1s fastinter 500ms fall 2} with {@code timeout check 1s}, so
     * two failed checks take at most 1 s + 0.5 s (+ 1 s if the second one times out).
     */
    private static final long DETECTION_BOUND_MILLIS = 3_000;
    private static final int LONG_LIVED = 9;
    private static final int SLOW_READERS = 3;
    private static final int CHURNERS = 3;

    /** The jar's log lines start with the time of day (simplelogger.properties); this one names the client. */
    private static final Pattern PROXY_LINE = Pattern.compile(
            "(?m)^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*PROXY v2 header from \\S+: client /?127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern SUMMARY =
            Pattern.compile("shutdown: (\\d+) connections closed, (\\d+) bytes flushed, (\\d+) bytes abandoned");

    /** How one client connection ended. */
    enum End { RAN_TO_THE_END, SERVER_FIN, RESET, CORRUPTED, CONNECT_FAILED }

    /** One client connection's story. */
    static final class Story {
        final String kind;
        final int port;
        /** When its connect began; its PROXY header is logged between this and {@link #closedMillis}. */
        final long openedMillis;
        volatile long closedMillis = Long.MAX_VALUE;
        volatile long verifiedBytes;
        volatile long exchanges;
        volatile End end;
        volatile String detail = "";

        Story(String kind, int port, long openedMillis) {
            this.kind = kind;
            this.port = port;
            this.openedMillis = openedMillis;
        }
    }

    private final List<Story> stories = new CopyOnWriteArrayList<>();
    /** When HAProxy logged each server DOWN, in ms since the load began; -1 until it does. */
    private final long[] downAt = {-1, -1, -1};
    private volatile boolean stop;
    private long t0;
    /** When the killed backend's process was seen gone (a few ms after the SIGKILL). */
    private long deadAt;
    /** The wall clock at {@link #t0}, to place the backends' log lines on the clients' time line. */
    private LocalTime wallAtT0;

    @Test
    void threeBackendsBehindHaproxySurviveADrainAndAKill(@TempDir Path dir) throws Exception {
        assertThat(JAR).as("the jar: run `make jar` (make test-lb does)").exists();
        assertThat(onPath("haproxy")).as("haproxy on PATH: make test-lb installs it (apt-get install haproxy)").isTrue();
        int[] ports = freePorts(RECIPE_PORTS.length);
        List<Process> backends = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        Process haproxy = null;
        try {
            for (int i = 0; i < 3; i++) {
                Path log = dir.resolve("backend-" + (i + 1) + ".log");
                logs.add(log);
                backends.add(startBackend(ports[1 + 2 * i], ports[2 + 2 * i], log));
            }
            for (int i = 0; i < 3; i++) {
                awaitLine(logs.get(i), "metrics listening on", backends.get(i));
            }
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, substitutePorts(Files.readString(RECIPE), ports));
            Path haproxyLog = dir.resolve("haproxy.log");
            haproxy = new ProcessBuilder("haproxy", "-db", "-f", cfg.toString()).redirectErrorStream(true)
                    .redirectOutput(haproxyLog.toFile()).start();
            InetSocketAddress front = new InetSocketAddress(InetAddress.getLoopbackAddress(), ports[0]);
            awaitFrontDoor(front, haproxy, haproxyLog);

            LocalTime.now(); // loads the clock and zone classes, so the next call is not late by their loading
            t0 = System.nanoTime();
            wallAtT0 = LocalTime.now();
            Thread watcher = start("haproxy-log-watcher", () -> watchDowns(haproxyLog));
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < SLOW_READERS; i++) {
                int seed = 1000 + i;
                clients.add(start("slow-" + i, () -> slowReader(front, seed)));
            }
            for (int i = 0; i < LONG_LIVED; i++) {
                int seed = i;
                clients.add(start("long-" + i, () -> longLived(front, seed)));
            }
            for (int i = 0; i < CHURNERS; i++) {
                int seed = 100 + i;
                clients.add(start("churn-" + i, () -> churn(front, seed)));
            }

            sleepUntil(SIGTERM_AT_MILLIS);
            Process drained = backends.get(0);
            kill("TERM", drained.pid());
            long termAt = elapsed();
            sleepUntil(SIGKILL_AT_MILLIS);
            Process killed = backends.get(1);
            killed.destroyForcibly(); // SIGKILL
            long killAt = elapsed();
            killed.waitFor(10, TimeUnit.SECONDS);
            deadAt = elapsed();
            sleepUntil(LOAD_FOR_MILLIS);
            stop = true;
            for (Thread t : clients) {
                t.join(30_000);
                assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
            }
            assertThat(drained.waitFor(60, TimeUnit.SECONDS)).as("the drained backend exited").isTrue();
            int drainedStatus = drained.exitValue();

            watcher.interrupt();
            report(logs, termAt, killAt, drainedStatus);
        } finally {
            stop = true;
            if (haproxy != null) {
                haproxy.destroy();
                haproxy.waitFor(10, TimeUnit.SECONDS);
            }
            for (Process p : backends) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- the report

    private void report(List<Path> logs, long termAt, long killAt, int drainedStatus) throws IOException {
        // Each PROXY header a backend read: (when, which backend), by client port. The kernel reuses a closed
        // connection's port for a later one (hundreds of short connections here), so a port alone is not a
        // connection: see below.
        Map<Integer, List<long[]>> headersByPort = new HashMap<>();
        int[] headers = new int[3];
        for (int b = 0; b < 3; b++) {
            Matcher m = PROXY_LINE.matcher(Files.readString(logs.get(b)));
            while (m.find()) {
                long at = Duration.between(wallAtT0, LocalTime.parse(m.group(1))).toMillis();
                headersByPort.computeIfAbsent(Integer.parseInt(m.group(2)), k -> new ArrayList<>())
                        .add(new long[] {at, b});
                headers[b]++;
            }
        }
        long reusedPorts = headersByPort.values().stream().filter(l -> l.size() > 1).count();
        // Each header goes to the connection from its client port that was open when it was logged (a port is reused
        // only after its connection closed); the log's clock has millisecond resolution and is read in another
        // process, hence 10 ms of slack, and the latest-opened connection wins.
        Map<Integer, List<Story>> storiesByPort = new HashMap<>();
        for (Story st : stories) {
            storiesByPort.computeIfAbsent(st.port, k -> new ArrayList<>()).add(st);
        }
        Map<Story, Integer> backendOf = new java.util.IdentityHashMap<>();
        for (Map.Entry<Integer, List<long[]>> e : headersByPort.entrySet()) {
            for (long[] h : e.getValue()) {
                Story best = null;
                for (Story st : storiesByPort.getOrDefault(e.getKey(), List.of())) {
                    boolean open = st.openedMillis - 10 <= h[0] && h[0] - 10 <= st.closedMillis;
                    if (open && !backendOf.containsKey(st) && (best == null || st.openedMillis > best.openedMillis)) {
                        best = st;
                    }
                }
                if (best != null) {
                    backendOf.put(best, (int) h[1]);
                }
            }
        }
        String drainedLog = Files.readString(logs.get(0));

        long corrupted = stories.stream().filter(s -> s.end == End.CORRUPTED).count();
        long verified = stories.stream().mapToLong(s -> s.verifiedBytes).sum();
        long exchanges = stories.stream().mapToLong(s -> s.exchanges).sum();
        List<Story> connected = stories.stream().filter(s -> s.end != End.CONNECT_FAILED).toList();
        long mapped = connected.stream().filter(s -> backendOf.containsKey(s)).count();
        long connectFailed = stories.stream().filter(s -> s.end == End.CONNECT_FAILED).count();

        // Long-lived connections (and slow readers) by the backend that served them.
        List<Story> onSurvivor = connected.stream().filter(s -> !s.kind.equals("churn"))
                .filter(s -> backendOf.getOrDefault(s, -1) == 2).toList();
        List<Story> onDrained = connected.stream().filter(s -> !s.kind.equals("churn"))
                .filter(s -> backendOf.getOrDefault(s, -1) == 0).toList();
        List<Story> onKilled = connected.stream().filter(s -> !s.kind.equals("churn"))
                .filter(s -> backendOf.getOrDefault(s, -1) == 1).toList();

        // New connections after each signal: the last one each dead backend still got, relative to its signal.
        long lastOnDrained = lastOpenedOn(backendOf, 0) - termAt;
        long lastOnKilled = lastOpenedOn(backendOf, 1) - killAt;
        long churnAfterKill = connected.stream().filter(s -> s.kind.equals("churn") && s.openedMillis > killAt).count();
        // A connection s2 had accepted (or HAProxy had sent it, PROXY header and all) but not yet logged when it was
        // killed dies with s2 without ever showing in its log: opened before the kill, failed, unmapped.
        List<Story> lostInFlight = connected.stream().filter(s -> !backendOf.containsKey(s)
                && s.end != End.RAN_TO_THE_END && s.openedMillis <= deadAt + 5).toList();
        long churnFailed = stories.stream().filter(s -> s.kind.equals("churn") && s.end != End.RAN_TO_THE_END
                && backendOf.getOrDefault(s, -1) != 1 && !lostInFlight.contains(s)).count();

        Matcher summary = SUMMARY.matcher(drainedLog);
        boolean hasSummary = summary.find();

        StringBuilder r = new StringBuilder("\n==== make test-lb: HAProxy (send-proxy-v2, leastconn, /health checks) "
                + "in front of 3 serve processes ====\n");
        r.append(String.format("client connections: %d (%d long-lived, %d slow readers, %d short churn), %d exchanges,"
                        + " %,d bytes verified, %d corrupted or misordered%n", stories.size(), LONG_LIVED, SLOW_READERS,
                stories.size() - LONG_LIVED - SLOW_READERS, exchanges, verified, corrupted));
        r.append(String.format("PROXY v2 headers read by the backends: s1 %d, s2 %d, s3 %d; client ports matched to a "
                + "backend: %d of %d connected (%d ports used by more than one connection; %d lost in flight to s2 "
                + "when it was killed, before it logged them)%n", headers[0], headers[1], headers[2], mapped,
                connected.size(), reusedPorts, lostInFlight.size()));
        r.append(String.format("s1 SIGTERM at %.1f s (--drain-delay %d s): HAProxy marked it DOWN %d ms later (503 from"
                        + " /health); the last new connection it got came %d ms after the signal; exit status %d; %s%n",
                termAt / 1000.0, DRAIN_DELAY.toSeconds(), downAt[0] - termAt, lastOnDrained, drainedStatus,
                hasSummary ? summary.group() : "NO SUMMARY LINE"));
        r.append(String.format("   its %d long-lived/slow clients: %s%n", onDrained.size(), ends(onDrained)));
        r.append(String.format("s2 SIGKILL at %.1f s: HAProxy marked it DOWN %d ms later; %d new connections after the"
                + " kill, all served by the live backend (any sent to s2 before it was DOWN were redispatched); short"
                + " connections that failed other than on s2: %d; its %d long-lived clients: %s%n", killAt / 1000.0,
                downAt[1] - killAt, churnAfterKill, churnFailed, onKilled.size(), ends(onKilled)));
        r.append(String.format("s3 survived: its %d long-lived/slow clients: %s%n", onSurvivor.size(), ends(onSurvivor)));
        r.append(String.format("connects that failed at the front door: %d%n", connectFailed));
        for (Story s : stories) {
            if (s.end != End.RAN_TO_THE_END && !backendOf.containsKey(s)) {
                StringBuilder seen = new StringBuilder();
                for (long[] h : headersByPort.getOrDefault(s.port, List.of())) {
                    seen.append(" s").append(h[1] + 1).append('@').append(h[0]);
                }
                r.append(String.format("   unmapped %s connection from port %d open %d-%d ms: %s %s; headers of that port:%s%n",
                        s.kind, s.port, s.openedMillis, s.closedMillis, s.end, s.detail, seen));
            }
        }
        System.out.println(r);

        assertThat(corrupted).as("corrupted or misordered bytes anywhere\n%s", r).isZero();
        assertThat(verified).as("bytes verified").isGreaterThan(1_000_000);
        assertThat(connectFailed).as("connects refused by the front door\n%s", r).isZero();
        assertThat(mapped + lostInFlight.size())
                .as("every connection that got through was seen by a backend, with its real port\n%s", r)
                .isEqualTo(connected.size());
        assertThat(onSurvivor).as("clients on the survivor\n%s", r).isNotEmpty();
        assertThat(onSurvivor).as("the survivor's clients ran to the end untouched\n%s", r)
                .allMatch(s -> s.end == End.RAN_TO_THE_END);
        assertThat(lastOnDrained).as("new connections to s1 stop within the checks' bound\n%s", r)
                .isLessThan(DETECTION_BOUND_MILLIS);
        assertThat(lastOnKilled).as("a dead process gets no connection\n%s", r).isLessThanOrEqualTo(0);
        assertThat(downAt[0] - termAt).as("s1 marked DOWN within the checks' bound\n%s", r)
                .isBetween(0L, DETECTION_BOUND_MILLIS);
        assertThat(downAt[1] - killAt).as("s2 marked DOWN within the checks' bound\n%s", r)
                .isBetween(0L, DETECTION_BOUND_MILLIS);
        assertThat(downAt[2]).as("s3 never marked DOWN\n%s", r).isEqualTo(-1);
        assertThat(churnFailed).as("short connections that failed other than on the killed backend\n%s", r).isZero();
        assertThat(drainedStatus).as("s1's exit status\n%s", r).isZero();
        assertThat(hasSummary).as("s1 logged its shutdown summary\n%s", r).isTrue();
        assertThat(Long.parseLong(summary.group(3))).as("bytes s1 abandoned: every pending reply was delivered\n%s", r)
                .isZero();
        assertThat(onDrained).as("s1's clients got its FIN after their replies, never a reset\n%s", r)
                .allMatch(s -> s.end == End.SERVER_FIN);
        assertThat(drainedLog).contains("draining: /health answers 503");
    }

    private long lastOpenedOn(Map<Story, Integer> backendOf, int backend) {
        return stories.stream().filter(s -> backendOf.getOrDefault(s, -1) == backend)
                .mapToLong(s -> s.openedMillis).max().orElse(-1);
    }

    private static String ends(List<Story> list) {
        Map<End, Integer> count = new java.util.TreeMap<>();
        long bytes = 0;
        for (Story s : list) {
            count.merge(s.end, 1, Integer::sum);
            bytes += s.verifiedBytes;
        }
        return count + String.format(", %,d bytes verified", bytes);
    }

    /** Notes when HAProxy's log first says each server is DOWN (its health-check verdict). */
    private void watchDowns(Path haproxyLog) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                String log = Files.readString(haproxyLog);
                for (int i = 0; i < 3; i++) {
                    if (downAt[i] < 0 && log.contains("/s" + (i + 1) + " is DOWN")) {
                        downAt[i] = elapsed();
                    }
                }
                Thread.sleep(20);
            } catch (IOException e) {
                return;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // --------------------------------------------------------------------------------------------- the clients

    /** Request and reply in lockstep, random sizes, every reply byte checked, until told to stop. */
    private void longLived(InetSocketAddress front, int seed) {
        Story story;
        Socket s;
        long before = elapsed();
        try {
            s = connect(front, 0);
        } catch (IOException e) {
            stories.add(failedConnect("long", e));
            return;
        }
        story = new Story("long", s.getLocalPort(), before);
        stories.add(story);
        Random random = new Random(seed);
        try (s) {
            while (!stop) {
                exchange(s, story, random, 1 + random.nextInt(16 * 1024));
                Thread.sleep(20);
            }
            story.end = End.RAN_TO_THE_END;
        } catch (Ended e) {
            story.end = e.end;
            story.detail = e.getMessage();
        } catch (IOException e) {
            story.end = End.RESET;
            story.detail = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            story.closedMillis = elapsed();
        }
    }

    /**
     * A client that sends far more than it reads, reading slowly: the backend holds replies for it, pending. A writer
     * thread streams requests; this thread reads about 1 MiB/s and checks every byte. When the load ends it stops
     * writing, half-closes, and reads on to the server's FIN: it ran to the end only if every byte it sent came back.
     */
    private void slowReader(InetSocketAddress front, int seed) {
        Socket s;
        long before = elapsed();
        try {
            s = connect(front, 64 * 1024);
        } catch (IOException e) {
            stories.add(failedConnect("slow", e));
            return;
        }
        Story story = new Story("slow", s.getLocalPort(), before);
        stories.add(story);
        byte[] pattern = new byte[64 * 1024];
        new Random(seed).nextBytes(pattern);
        byte[] expected = Upper.of(pattern);
        long[] sent = {0};
        Thread writer = start("slow-writer-" + story.port, () -> {
            try {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < 400 && !stop; i++) { // at most 25 MiB
                    out.write(pattern);
                    sent[0] += pattern.length;
                }
            } catch (IOException closed) {
                // the reader below decides how this connection ended
            }
        });
        boolean halfClosed = false;
        try (s) {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16 * 1024];
            long at = 0;
            while (true) {
                if (stop && !halfClosed && !writer.isAlive()) {
                    s.shutdownOutput(); // done sending: the server answers the rest, then closes
                    halfClosed = true;
                }
                int n = in.read(buf);
                if (n < 0) {
                    boolean all = halfClosed && at == sent[0];
                    story.end = all ? End.RAN_TO_THE_END : End.SERVER_FIN;
                    story.detail = "FIN after " + at + " of " + sent[0] + " bytes sent";
                    return;
                }
                for (int i = 0; i < n; i++, at++) {
                    if (buf[i] != expected[(int) (at % expected.length)]) {
                        story.end = End.CORRUPTED;
                        story.detail = "byte " + at;
                        return;
                    }
                }
                story.verifiedBytes = at;
                story.exchanges++;
                if (!stop) {
                    Thread.sleep(15); // ~1 MiB/s; once the load ends, as fast as it comes
                }
            }
        } catch (IOException e) {
            story.end = End.RESET;
            story.detail = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            writer.interrupt();
            story.closedMillis = elapsed();
        }
    }

    /** New connections all the time: three exchanges each, then close. */
    private void churn(InetSocketAddress front, int seed) {
        Random random = new Random(seed);
        while (!stop) {
            Socket s;
            long before = elapsed();
            try {
                s = connect(front, 0);
            } catch (IOException e) {
                stories.add(failedConnect("churn", e));
                continue;
            }
            Story story = new Story("churn", s.getLocalPort(), before);
            stories.add(story);
            try (s) {
                for (int i = 0; i < 3; i++) {
                    exchange(s, story, random, 1 + random.nextInt(2048));
                }
                story.end = End.RAN_TO_THE_END;
            } catch (Ended e) {
                story.end = e.end;
                story.detail = e.getMessage();
            } catch (IOException e) {
                story.end = End.RESET;
                story.detail = e.toString();
            }
            story.closedMillis = elapsed();
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** How a connection ended before its client was done. */
    private static final class Ended extends Exception {
        final End end;

        Ended(End end, String message) {
            super(message);
            this.end = end;
        }
    }

    private static void exchange(Socket s, Story story, Random random, int n) throws IOException, Ended {
        byte[] request = new byte[n];
        random.nextBytes(request);
        byte[] expected = Upper.of(request);
        s.getOutputStream().write(request);
        InputStream in = s.getInputStream();
        byte[] got = new byte[n];
        int off = 0;
        while (off < n) {
            int r = in.read(got, off, n - off);
            if (r < 0) {
                throw new Ended(End.SERVER_FIN, "FIN after " + off + " of " + n + " reply bytes");
            }
            for (int i = off; i < off + r; i++) {
                if (got[i] != expected[i]) {
                    throw new Ended(End.CORRUPTED, "byte " + (story.verifiedBytes + i) + " differs");
                }
            }
            off += r;
        }
        story.verifiedBytes += n;
        story.exchanges++;
    }

    private Story failedConnect(String kind, IOException e) {
        Story s = new Story(kind, -1, elapsed());
        s.end = End.CONNECT_FAILED;
        s.detail = e.toString();
        return s;
    }

    private static Socket connect(InetSocketAddress to, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        try {
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            s.setTcpNoDelay(true);
            s.setSoTimeout(30_000);
            s.connect(to, 10_000);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------- processes

    private static Process startBackend(int tcp, int metrics, Path log) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseSerialGC",
                // the one DEBUG line per connection that names the client from its PROXY header
                "-Dorg.slf4j.simpleLogger.log.nioreactor.reactor.ProxyProtocolHandler=debug",
                "-jar", JAR.toString(), "serve", "--tcp", Integer.toString(tcp), "--metrics", Integer.toString(metrics),
                "--framed", "-1", "--udp", "-1", "--proxy-protocol", "--drain-delay", DRAIN_DELAY.toSeconds() + "s",
                "--shutdown-timeout", "20s");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    /** The recipe with its seven ports replaced, each exactly once (so a changed recipe fails here, loudly). */
    static String substitutePorts(String recipe, int[] ports) {
        String cfg = recipe;
        for (int i = 0; i < RECIPE_PORTS.length; i++) {
            Pattern p = Pattern.compile("(?<=127\\.0\\.0\\.1:|port )" + RECIPE_PORTS[i] + "\\b");
            Matcher m = p.matcher(cfg);
            int found = 0;
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                found++;
                m.appendReplacement(sb, Integer.toString(ports[i]));
            }
            m.appendTail(sb);
            if (found != 1) {
                throw new AssertionError("deploy/haproxy.cfg should name port " + RECIPE_PORTS[i] + " once in an "
                        + "address or a check, found " + found);
            }
            cfg = sb.toString();
        }
        return cfg;
    }

    private static void awaitLine(Path log, String text, Process p) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(log) && Files.readString(log).contains(text))) {
            if (!p.isAlive() || System.nanoTime() > end) {
                throw new AssertionError("no \"" + text + "\" from " + log + ":\n"
                        + (Files.exists(log) ? Files.readString(log) : ""));
            }
            Thread.sleep(50);
        }
    }

    private static void awaitFrontDoor(InetSocketAddress front, Process haproxy, Path log) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(front, 1000);
                return;
            } catch (IOException notYet) {
                if (!haproxy.isAlive() || System.nanoTime() > end) {
                    throw new AssertionError("haproxy did not open " + front + ":\n" + Files.readString(log));
                }
                Thread.sleep(50);
            }
        }
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return ports;
    }

    private static void kill(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + signal).isTrue();
    }

    private static boolean onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, name))) {
                return true;
            }
        }
        return false;
    }

    private long elapsed() {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private void sleepUntil(long millis) throws InterruptedException {
        long left = millis - elapsed();
        if (left > 0) {
            Thread.sleep(left);
        }
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
