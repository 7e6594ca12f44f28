package nioreactor.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.function.Supplier;
import nioreactor.bench.netty.NettyUpperServer;
import nioreactor.load.BlockingTimeServer;
import nioreactor.load.BlockingUpperServer;
import nioreactor.reactor.Limits;
import nioreactor.reactor.ReactorStats;
import nioreactor.reactor.SelectStrategy;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;

/**
 * One server under test, alone in its JVM (the scenario runner starts it pinned to the server core). Protocol on
 * stdin/stdout: it prints {@code READY raw=P framed=P udp=P unix=PATH jdk=V} once listening (ports 0 and the path
 * {@code -} mean "not offered"; only nioreactor serves upper-echo on an AF_UNIX socket file as well); then
 * each {@code heap} line is answered by {@code HEAP used=B rss=B threads=N}, measured after {@code System.gc()} (a
 * full collection on every collector the JDK ships, repeated until the figure settles) so only live objects count;
 * each {@code select} line by {@code SELECT spins=N yields=N blocks=N} (nioreactor's idle-wait counters, zeros for the
 * other servers); {@code quit} or end of input stops it.
 */
final class ServerProcess {
    private ServerProcess() {
    }

    static int serve(String kind) throws Exception {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        AutoCloseable server;
        int raw = 0;
        int framed = 0;
        int udp = 0;
        Supplier<ReactorStats> stats = null;
        String unix = "-";
        switch (kind) {
            case "nioreactor", "nioreactor-spin", "nioreactor-backoff" -> {
                // The -spin and -backoff kinds are `serve --select-strategy spin|backoff` (default --spin-for): only
                // the strategies scenario starts them, and stops them at its end.
                SelectStrategy strategy = switch (kind) {
                    case "nioreactor-spin" -> SelectStrategy.SPIN;
                    case "nioreactor-backoff" -> SelectStrategy.BACKOFF;
                    default -> SelectStrategy.BLOCK;
                };
                Limits limits = Limits.DEFAULTS.withMaxConnections(1_000_000);
                // The same upper-echo on an AF_UNIX socket file too, on the same reactor: AF_UNIX against loopback TCP.
                Path dir = Files.createTempDirectory(Path.of("/tmp"), "nr-bench-");
                Server s = Server.start(ServerConfig.builder().ephemeralPorts().limits(limits)
                        .unixTcpPath(dir.resolve("upper.sock")).selectStrategy(strategy).build());
                stats = s::stats;
                raw = s.tcpAddress().getPort();
                framed = s.framedAddress().getPort();
                udp = s.udpAddress().getPort();
                unix = s.unixTcpPath().toString();
                server = () -> {
                    s.close(); // removes the socket file
                    Files.deleteIfExists(dir);
                };
            }
            case "blocking", "blocking-virtual" -> {
                boolean virtual = kind.equals("blocking-virtual");
                BlockingUpperServer r = BlockingUpperServer.start(any, false, virtual);
                BlockingUpperServer f = BlockingUpperServer.start(any, true, virtual);
                BlockingTimeServer t = BlockingTimeServer.start(any, ZoneId.systemDefault());
                raw = r.address().getPort();
                framed = f.address().getPort();
                udp = t.address().getPort();
                server = () -> {
                    r.close();
                    f.close();
                    t.close();
                };
            }
            case "netty-nio", "netty-epoll" -> {
                NettyUpperServer n = NettyUpperServer.start(kind.equals("netty-epoll")
                        ? NettyUpperServer.Transport.EPOLL : NettyUpperServer.Transport.NIO, "127.0.0.1");
                raw = n.rawAddress().getPort();
                framed = n.framedAddress().getPort();
                server = n;
            }
            case "nioreactor-tls" -> {
                // Upper-echo and the framed echo over TLS, as serve runs them (delegated tasks on a pool of two).
                Limits limits = Limits.DEFAULTS.withMaxConnections(1_000_000);
                java.util.concurrent.ExecutorService tasks = java.util.concurrent.Executors.newFixedThreadPool(2);
                nioreactor.reactor.TlsContext tls = nioreactor.reactor.TlsContext.server(nioreactor.tls.TlsFiles.fromPem(
                                Path.of(System.getProperty("bench.tls.cert")), Path.of(System.getProperty("bench.tls.key")),
                                null).context())
                        .protocols(java.util.List.of(System.getProperty("bench.tls.protocol")))
                        .cipherSuites(java.util.List.of(System.getProperty("bench.tls.cipher")))
                        .delegatedTasks(tasks).build();
                Server s = Server.start(ServerConfig.builder().ephemeralPorts().tcpPort(-1).framedPort(-1).udpPort(-1)
                        .tlsTcpPort(0).tlsFramedPort(0).tls(tls).limits(limits).build());
                raw = s.tlsTcpAddress().getPort();
                framed = s.tlsFramedAddress().getPort();
                server = () -> {
                    s.close();
                    tasks.shutdownNow();
                };
            }
            case "netty-nio-tls" -> {
                // SslHandler on the JDK's provider: the same SSLEngine, certificate, protocol and cipher suite.
                io.netty.handler.ssl.SslContext tls = io.netty.handler.ssl.SslContextBuilder
                        .forServer(new java.io.File(System.getProperty("bench.tls.cert")),
                                new java.io.File(System.getProperty("bench.tls.key")))
                        .sslProvider(io.netty.handler.ssl.SslProvider.JDK)
                        .protocols(System.getProperty("bench.tls.protocol"))
                        .ciphers(java.util.List.of(System.getProperty("bench.tls.cipher"))).build();
                NettyUpperServer n = NettyUpperServer.start(NettyUpperServer.Transport.NIO, "127.0.0.1", tls);
                raw = n.rawAddress().getPort();
                framed = n.framedAddress().getPort();
                server = n;
            }
            default -> {
                System.err.println("unknown server kind: " + kind);
                return 2;
            }
        }
        System.out.printf("READY raw=%d framed=%d udp=%d unix=%s jdk=%s%n", raw, framed, udp, unix,
                System.getProperty("java.version"));
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.trim().equals("quit")) {
            if (line.trim().equals("heap")) {
                long used = liveHeap();
                System.out.printf("HEAP used=%d rss=%d threads=%d%n", used, rssBytes(),
                        ManagementFactory.getThreadMXBean().getThreadCount());
                System.out.flush();
            } else if (line.trim().equals("select")) {
                ReactorStats r = stats == null ? null : stats.get();
                System.out.printf("SELECT spins=%d yields=%d blocks=%d%n", r == null ? 0 : r.selectSpins(),
                        r == null ? 0 : r.selectYields(), r == null ? 0 : r.selectBlocks());
                System.out.flush();
            }
        }
        server.close();
        return 0;
    }

    /**
     * Heap used after full collections, repeated until it settles: a closed socket's descriptor is released by a
     * Cleaner (a phantom reference), so its objects go only in a collection after the Cleaner thread has run, and
     * with one core (Serial GC) a single System.gc() often sees them still there.
     */
    private static long liveHeap() throws InterruptedException {
        long previous = -1;
        long used = 0;
        for (int i = 0; i < 10; i++) {
            System.gc();
            Thread.sleep(50);
            used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (previous >= 0 && Math.abs(used - previous) < 16 * 1024) {
                break;
            }
            previous = used;
        }
        return used;
    }

    /** Resident set size from /proc (Linux); 0 where there is none. Counts native memory: stacks, direct buffers. */
    private static long rssBytes() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
