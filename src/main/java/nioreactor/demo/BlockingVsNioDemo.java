package nioreactor.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import nioreactor.load.BlockingUpperServer;
import nioreactor.server.Server;

/**
 * Why the reactor exists: N idle connections cost the classic thread-per-connection server N threads, and nioreactor
 * one thread for all of them. Both servers run in this JVM in turn, so the JVM's own counters measure them.
 */
public final class BlockingVsNioDemo implements Demo {
    static final int CONNECTIONS = 200;

    /** What holding the connections cost one server. */
    record Cost(int threads, long heapBytes) {
    }

    @Override
    public String name() {
        return "blocking-vs-nio";
    }

    @Override
    public String summary() {
        return CONNECTIONS + " idle connections: threads and heap of a thread-per-connection server vs nioreactor";
    }

    @Override
    public void run(PrintStream out) throws Exception {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        out.printf("Opening %d idle TCP connections to each server in turn (same JVM, measured with ThreadMXBean%n", CONNECTIONS);
        out.println("and MemoryMXBean after a GC; the client sockets are in this JVM too and cost both sides the same).");
        out.println();

        Cost blocking = measure(() -> {
            BlockingUpperServer server = BlockingUpperServer.start(loopback, false, false);
            // every connection has its thread once liveThreads() counts them all, besides the accepting thread
            return new Subject(server.address(), () -> server.liveThreads() - 1, server);
        });
        Cost nio = measure(() -> {
            Server server = DemoSupport.server("demo-nio");
            return new Subject(server.tcpAddress(), () -> (int) server.stats().connectionsActive(), server);
        });

        out.printf("%-44s %10s %12s%n", "", "threads", "heap");
        out.printf("%-44s %10s %12s%n", "blocking, one thread per connection", signed(blocking.threads()), kib(blocking.heapBytes()));
        out.printf("%-44s %10s %12s%n", "nioreactor, one selector thread", signed(nio.threads()), kib(nio.heapBytes()));
        out.println();
        out.printf("blocking: %.2f threads per connection; nioreactor: %d thread(s) for all %d.%n",
                (double) blocking.threads() / CONNECTIONS, nio.threads(), CONNECTIONS);
        out.println("Each platform thread also reserves a stack outside the heap (-Xss, 1 MiB by default on 64-bit");
        out.println("Linux) and is scheduled by the kernel, which the heap column does not show.");
        out.println();
        out.println("Why: the seed's server handles one client at a time: recv() blocks, so serving many at once");
        out.println("takes a thread each, idle or not. A selector (select/epoll, I/O multiplexing, IO多路复用) lets");
        out.println("one thread wait on every socket and touch only the ready ones, so an idle connection costs a");
        out.println("key and a small object, not a thread. (Heap numbers are noisy: compare orders of magnitude.)");
    }

    /** A running server under measurement. */
    private record Subject(InetSocketAddress address, IntSupplier connectionsServed, AutoCloseable server) {
    }

    private interface Starter {
        Subject start() throws Exception;
    }

    /** The baseline is taken before the server starts, so its own threads (e.g. the reactor) are counted. */
    private static Cost measure(Starter starter) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        settle();
        int threadsBefore = threads.getThreadCount();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        Subject subject = starter.start();
        IntSupplier connectionsServed = subject.connectionsServed();
        List<Socket> clients = new ArrayList<>();
        AutoCloseable server = subject.server();
        try (server) {
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(DemoSupport.connect(subject.address(), false));
            }
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (connectionsServed.getAsInt() < CONNECTIONS && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (connectionsServed.getAsInt() < CONNECTIONS) {
                throw new IOException("only " + connectionsServed.getAsInt() + " of " + CONNECTIONS + " connections were served");
            }
            settle();
            return new Cost(threads.getThreadCount() - threadsBefore, memory.getHeapMemoryUsage().getUsed() - heapBefore);
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
    }

    /**
     * Waits until the JVM's thread count holds still (threads of a server just closed take a moment to end, and would
     * otherwise be subtracted from the next measurement), then collects garbage so the heap numbers compare live
     * objects. Bounded: after a few seconds it measures anyway.
     */
    private static void settle() throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long deadline = System.nanoTime() + 5_000_000_000L;
        int stableFor = 0;
        int last = threads.getThreadCount();
        while (stableFor < 5 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            int now = threads.getThreadCount();
            stableFor = now == last ? stableFor + 1 : 0;
            last = now;
        }
        System.gc();
    }

    private static String signed(int n) {
        return String.format("%+d", n);
    }

    private static String kib(long bytes) {
        return (bytes >= 0 ? "+" : "") + String.format("%,d KiB", bytes / 1024);
    }
}
