package nioreactor.chat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import nioreactor.reactor.Connection;
import nioreactor.reactor.Reactor;

/**
 * The fan-out scenario over real loopback sockets: {@code members} members each send {@code linesEach} lines (written
 * in random pieces, so lines span reads), and every member checks that it gets every other member's lines, each
 * sender's in order, none missing or duplicated. Optionally one extra member joins that never reads, with a small
 * receive buffer so the kernel absorbs little before the server's pending output grows.
 *
 * <p>The client side is one thread with one selector (the machine has two cores; the server's reactor needs one).
 * Client buffers are direct, so that the heap measured is the server's.
 */
final class FanOutRun {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(40);
    /**
     * Lines the senders may be ahead of the slowest reader among them. Without it, the one client thread would write
     * all 20,000 lines at once and then read for seconds, so every member (not only the silent one) would owe
     * megabytes, and the server would rightly cut the readers that are behind: this test's client must be a reader
     * that keeps up.
     */
    private static final int WINDOW_LINES = 2000;

    record Result(int members, int linesEach, int lineBytes, long millis, long heapBeforeBytes, long heapAfterBytes,
                  long silentId, long silentPendingMax, long silentPendingFromMillis, long cutMillis,
                  boolean everyoneSawTheCut) {
        long heapGrowth() {
            return heapAfterBytes - heapBeforeBytes;
        }

        @Override
        public String toString() {
            String s = String.format("%d members x %d lines of %d bytes: all delivered in %d ms; heap %.1f -> %.1f MiB "
                            + "(growth %.2f MiB)", members, linesEach, lineBytes, millis, heapBeforeBytes / 1048576.0,
                    heapAfterBytes / 1048576.0, heapGrowth() / 1048576.0);
            if (silentId > 0) {
                s += String.format("; silent member #%d: output pending from %d ms (the kernel's buffers full), cut as "
                        + "slow-consumer %d ms after the first line, largest pending sampled %d bytes", silentId,
                        silentPendingFromMillis, cutMillis, silentPendingMax);
            }
            return s;
        }
    }

    private static final class Peer {
        final SocketChannel channel;
        long id;
        int index;
        final ByteBuffer out;
        final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
        final int[] next;
        long received;
        boolean sawCut;

        Peer(SocketChannel channel, ByteBuffer out, int members) {
            this.channel = channel;
            this.out = out;
            this.next = new int[members];
        }
    }

    private FanOutRun() {
    }

    static Result run(Reactor reactor, InetSocketAddress room, int members, int linesEach, int lineBytes,
                      boolean withSilent) throws Exception {
        long heapBefore = usedHeapAfterGc();
        List<Peer> peers = new ArrayList<>();
        Map<Long, Integer> indexOf = new HashMap<>();
        SocketChannel silent = null;
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < members; i++) {
                SocketChannel ch = SocketChannel.open(room);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Peer p = new Peer(ch, lines(i, linesEach, lineBytes), members);
                String greeting = readLineBlocking(ch);
                p.id = Long.parseLong(greeting.substring("* you are #".length(), greeting.indexOf(';')));
                if (i == members - 1 && !greeting.contains("; " + (members - 1) + " others here")) {
                    throw new AssertionError("the last member should see everyone else: " + greeting);
                }
                p.index = i;
                indexOf.put(p.id, i);
                peers.add(p);
            }
            long silentId = -1;
            if (withSilent) {
                silent = SocketChannel.open();
                silent.setOption(StandardSocketOptions.SO_RCVBUF, 4096); // before connect: the window is set then
                silent.connect(room);
                // It never reads, not even its greeting: learn its id from member 0's notices (the last "joined").
                String joined = null;
                for (int seen = 0; seen < members; ) {
                    String line = readLineBlocking(peers.get(0).channel);
                    if (line.endsWith(" joined")) {
                        seen++;
                        joined = line;
                    }
                }
                silentId = Long.parseLong(joined.substring("* #".length(), joined.indexOf(' ', 2)));
            }
            for (Peer p : peers) {
                p.channel.configureBlocking(false);
                p.channel.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE, p);
            }

            Random random = new Random(42);
            long expectedEach = (long) (members - 1) * linesEach;
            int complete = 0;
            int sawCut = 0;
            long start = System.nanoTime();
            PendingSampler sampler = withSilent ? new PendingSampler(reactor, silentId) : null;
            long cutNanos = -1;
            long doneNanos = -1;
            List<SelectionKey> held = new ArrayList<>();
            while (complete < members || (withSilent && sawCut < members)) {
                long sent = 0;
                long slowest = Long.MAX_VALUE;
                for (Peer p : peers) {
                    sent += p.out.position() / (lineBytes + 1);
                    slowest = Math.min(slowest, p.received);
                }
                boolean mayWrite = sent - slowest < WINDOW_LINES;
                if (mayWrite && !held.isEmpty()) {
                    for (SelectionKey k : held) {
                        k.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    }
                    held.clear();
                }
                if (System.nanoTime() - start > DEADLINE_NANOS) {
                    throw new AssertionError("not done within " + TimeUnit.NANOSECONDS.toSeconds(DEADLINE_NANOS)
                            + " s: " + complete + " of " + members + " members complete, " + sawCut
                            + " saw the cut; e.g. member 0 has " + peers.get(0).received + " of " + expectedEach);
                }
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Peer p = (Peer) key.attachment();
                    if (key.isWritable() && !mayWrite) {
                        key.interestOps(SelectionKey.OP_READ);
                        held.add(key);
                    } else if (key.isWritable()) {
                        int chunk = 1 + random.nextInt(2 * lineBytes + 16);
                        int limit = p.out.limit();
                        p.out.limit(Math.min(limit, p.out.position() + chunk));
                        p.channel.write(p.out);
                        p.out.limit(limit);
                        if (!p.out.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (key.isReadable()) {
                        boolean wasComplete = p.received == expectedEach;
                        boolean hadCut = p.sawCut;
                        read(p, indexOf, silentId);
                        if (!wasComplete && p.received == expectedEach) {
                            complete++;
                        }
                        if (!hadCut && p.sawCut) {
                            sawCut++;
                            if (cutNanos < 0) {
                                cutNanos = System.nanoTime();
                            }
                        }
                    }
                }
                selector.selectedKeys().clear();
                if (complete == members && doneNanos < 0) {
                    doneNanos = System.nanoTime();
                }
            }
            long silentMax = sampler == null ? 0 : sampler.stop();
            // Every member still connected, its output drained: what the server holds now is what it keeps.
            long heapAfter = usedHeapAfterGc();
            return new Result(members, linesEach, lineBytes, TimeUnit.NANOSECONDS.toMillis(doneNanos - start),
                    heapBefore, heapAfter, silentId, silentMax,
                    sampler == null ? -1 : TimeUnit.NANOSECONDS.toMillis(sampler.firstPendingNanos() - start),
                    cutNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(cutNanos - start), sawCut == members);
        } finally {
            for (Peer p : peers) {
                p.channel.close();
            }
            if (silent != null) {
                silent.close();
            }
        }
    }

    /** Member i's lines: "m<seq> " and padding to {@code lineBytes} bytes before the newline. */
    private static ByteBuffer lines(int member, int count, int lineBytes) {
        ByteBuffer out = ByteBuffer.allocateDirect(count * (lineBytes + 1) + count * 8);
        for (int seq = 0; seq < count; seq++) {
            String head = "m" + seq + " ";
            out.put(head.getBytes(StandardCharsets.ISO_8859_1));
            for (int k = head.length(); k < lineBytes; k++) {
                out.put((byte) ('a' + (member + k) % 26));
            }
            out.put((byte) '\n');
        }
        return out.flip();
    }

    /** Reads what is there and checks each complete line; keeps an unfinished one for the next read. */
    private static void read(Peer p, Map<Long, Integer> indexOf, long silentId) throws IOException {
        int n = p.channel.read(p.in);
        if (n < 0) {
            throw new AssertionError("member #" + p.id + " was closed by the server");
        }
        p.in.flip();
        int lineStart = p.in.position();
        for (int i = p.in.position(); i < p.in.limit(); i++) {
            if (p.in.get(i) == '\n') {
                check(p, p.in, lineStart, i, indexOf, silentId);
                lineStart = i + 1;
            }
        }
        p.in.position(lineStart);
        p.in.compact();
    }

    private static void check(Peer p, ByteBuffer in, int from, int to, Map<Long, Integer> indexOf, long silentId) {
        byte[] b = new byte[Math.min(to - from, 64)];
        in.get(from, b);
        String head = new String(b, StandardCharsets.ISO_8859_1);
        if (head.startsWith("* ")) {
            if (head.equals("* #" + silentId + " left (slow-consumer)")) {
                p.sawCut = true;
            } else if (!head.endsWith(" joined")) {
                throw new AssertionError("member #" + p.id + " got an unexpected notice: " + head);
            }
            return;
        }
        int colon = head.indexOf(": m");
        if (!head.startsWith("#") || colon < 0) {
            throw new AssertionError("member #" + p.id + " got a malformed line: " + head);
        }
        long sender = Long.parseLong(head.substring(1, colon));
        int seq = Integer.parseInt(head.substring(colon + 3, head.indexOf(' ', colon + 3)));
        Integer index = indexOf.get(sender);
        if (index == null || sender == p.id) {
            throw new AssertionError("member #" + p.id + " got a line from #" + sender + ": " + head);
        }
        if (p.next[index] != seq) {
            throw new AssertionError("member #" + p.id + " got line " + seq + " of #" + sender + " but expected "
                    + p.next[index] + " (missing, duplicated or out of order)");
        }
        p.next[index]++;
        p.received++;
    }

    private static String readLineBlocking(SocketChannel ch) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder line = new StringBuilder();
        while (true) {
            one.clear();
            if (ch.read(one) < 0) {
                throw new IOException("end of stream after: " + line);
            }
            char c = (char) (one.get(0) & 0xff);
            if (c == '\n') {
                return line.toString();
            }
            line.append(c);
        }
    }

    static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) { // a few rounds: the smallest reading is the least disturbed by garbage
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    /** Samples the silent member's pending output on the reactor thread every millisecond or two. */
    private static final class PendingSampler {
        private final AtomicLong max = new AtomicLong();
        private volatile long firstPendingNanos;
        private final Thread thread;
        private volatile boolean running = true;

        PendingSampler(Reactor reactor, long id) {
            thread = new Thread(() -> {
                while (running) {
                    try {
                        long pending = reactor.submit(() -> {
                            for (Connection c : reactor.connections()) {
                                if (c.id() == id) {
                                    return c.pendingBytes();
                                }
                            }
                            return 0L;
                        }).get(5, TimeUnit.SECONDS);
                        max.accumulateAndGet(pending, Math::max);
                        if (pending > 0 && firstPendingNanos == 0) {
                            firstPendingNanos = System.nanoTime();
                        }
                        Thread.sleep(1);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "pending-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        long firstPendingNanos() {
            return firstPendingNanos;
        }

        long stop() throws InterruptedException {
            running = false;
            thread.join(5_000);
            return max.get();
        }
    }
}
